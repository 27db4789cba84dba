import { execFileSync } from "node:child_process";

// Postgres refuses to run as root; when we are root, servers run as this unprivileged user.
const NOBODY = { uid: 65534, gid: 65534 };

/** The user servers run as: nobody when we are root, else ourselves (undefined). */
export const runAs = () => (process.getuid?.() === 0 ? NOBODY : undefined);

/** Hands a folder to the user the servers run as, so they can write there. */
export function chownForServer(dir: string): void {
  const user = runAs();
  if (!user) return;
  execFileSync("chown", ["-R", `${user.uid}:${user.gid}`, dir]);
}
