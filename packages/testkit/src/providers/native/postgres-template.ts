import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { chownForServer, runAs } from "./unprivileged";

/** initdb takes seconds; it runs once per machine and later servers copy the result. */
export function postgresTemplate(bin: string): string {
  // One template per set of binaries: a cluster is tied to its major version and build.
  const version = createHash("sha256").update(bin).digest("hex").slice(0, 12);
  const cache = join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "backend-sandbox");
  const template = join(cache, `pgdata-template-${version}`);
  if (existsSync(join(template, "PG_VERSION"))) return template;
  const staging = mkdtempSync(join(tmpdir(), "backend-sandbox-initdb-"));
  chownForServer(staging);
  execFileSync(
    join(bin, "initdb"),
    [
      "-D",
      join(staging, "data"),
      "-U",
      "postgres",
      "--auth=trust",
      "--encoding=UTF8",
      "--locale=C.UTF-8",
      "--no-sync",
    ],
    { stdio: "pipe", ...runAs() },
  );
  execFileSync("mkdir", ["-p", cache]);
  try {
    renameSync(join(staging, "data"), template);
  } catch {
    // Another process won the race; its template is as good as ours.
  }
  rmSync(staging, { recursive: true, force: true });
  return template;
}
