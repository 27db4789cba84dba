import { existsSync, readdirSync, realpathSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";

/** Where the binaries are, or undefined when this machine has none. */
export function findNativeBinaries(env = process.env): {
  redisServer?: string;
  postgresBin?: string;
} {
  const redisServer = env.SANDBOX_REDIS_SERVER || onPath("redis-server", env);
  return { redisServer, postgresBin: env.SANDBOX_POSTGRES_BIN || findPostgresBin(env) };
}

function onPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

function findPostgresBin(env: NodeJS.ProcessEnv): string | undefined {
  const initdb = onPath("initdb", env);
  if (initdb) return dirname(realpathSync(initdb));
  // Debian and Ubuntu keep server binaries off PATH, one folder per major version.
  const root = env.SANDBOX_POSTGRES_ROOT ?? "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, "bin", "initdb")));
  versions.sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], "bin") : undefined;
}
