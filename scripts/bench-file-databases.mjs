// `npm run bench:file-databases`: what one test file's own Redis and Postgres databases cost on
// its critical path (useServices(): setup, first round trip, cleanup), side by side in one run:
//   keeper's spares   the warm services of the learner's loop: the file renames a spare database
//                     the keeper made ahead of time and hands it back to be dropped
//   created per file  services a run starts for itself (CI's): the file runs CREATE DATABASE and
//                     DROP DATABASE itself
//   --against <checkout>   a third row: "created per file" with that checkout's useServices()
// packages/testkit/bench/file-lifecycle.ts does the timing, its own start of services left out.
// Medians of all files of --runs rounds (--files each), min-max beside them; beside the times,
// the sessions opened on the shared database while a file runs (each a server process: the
// connection that creates or claims and drops the file's database, with spares the keeper's too;
// the file's own database takes its count with it when dropped) and the machine's CPU a file
// (the servers' too: run it on an otherwise quiet machine).
// Usage: node scripts/bench-file-databases.mjs [--runs N] [--files N] [--providers docker,native]
//        [--against <checkout>]
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { benchEnv } from "./bench-env.mjs";
import { spread } from "./bench-stats.mjs";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "3" },
    files: { type: "string", default: "20" },
    providers: { type: "string", default: "docker,native" },
    against: { type: "string" },
  },
});
const root = join(import.meta.dirname, "..");
const testkit = join(root, "packages/testkit");
const sandbox = join(root, "packages/grader/bin/sandbox.js");
const against = values.against && resolve(values.against);
const againstSrc = against && join(against, "packages/testkit/src");
if (against && !existsSync(join(againstSrc, "use-services.ts"))) {
  console.error(`--against ${values.against}: no packages/testkit/src/use-services.ts there`);
  process.exit(2);
}
const ROWS = [
  "keeper's spares",
  "created per file",
  ...(against ? [`created per file, ${values.against}`] : []),
];

/** Warm services of `provider`, kept in `dir` until down(). */
function warmServices(provider, dir) {
  const env = benchEnv({ SANDBOX_SERVICES: provider, SANDBOX_WARM_DIR: dir });
  const up = spawnSync(process.execPath, [sandbox, "services", "up"], { env, encoding: "utf8" });
  if (up.status !== 0) throw new Error(`sandbox services up (${provider}): ${up.stderr}`);
  return {
    state: JSON.parse(readFileSync(join(dir, "state.json"), "utf8")),
    down: () => spawnSync(process.execPath, [sandbox, "services", "down"], { env }),
  };
}

/** One round: the per-part milliseconds of --files files, in order, in environment `env`. */
function round(env) {
  const result = spawnSync(
    process.execPath,
    ["--require", "tsx/cjs", "bench/file-lifecycle.ts", values.files],
    { cwd: testkit, encoding: "utf8", env },
  );
  if (result.status !== 0) throw new Error(`file-lifecycle.ts failed:\n${result.stderr}`);
  return JSON.parse(result.stdout.trim().split("\n").at(-1));
}

const summary = (times) => spread(times, 1, "ms");

console.log(
  "| services | the file's database | setup | first round trip | cleanup | the file's total | sessions on the shared database | machine CPU |",
);
console.log("| --- | --- | --- | --- | --- | --- | --- | --- |");
for (const provider of values.providers.split(",")) {
  const dir = mkdtempSync(join(tmpdir(), "bench-files-"));
  const warm = warmServices(provider, dir);
  const envs = [
    benchEnv({
      SANDBOX_PROVIDER: provider,
      SANDBOX_REDIS_URL: warm.state.redisUrl,
      SANDBOX_DATABASE_URL: warm.state.databaseUrl,
    }),
    benchEnv({ SANDBOX_SERVICES: provider }),
    ...(against ? [benchEnv({ SANDBOX_SERVICES: provider, BENCH_TESTKIT_SRC: againstSrc })] : []),
  ];
  const parts = ROWS.map(() => ({
    setup: [],
    first: [],
    cleanup: [],
    total: [],
    sessions: [],
    cpuMs: [],
  }));
  try {
    // Rounds interleave the rows, so that a noisy minute spreads over both.
    for (let i = 0; i < Number(values.runs); i++)
      envs.forEach((env, r) => {
        const times = round(env);
        for (const part of ["setup", "first", "cleanup", "sessions"])
          parts[r][part].push(...times[part]);
        parts[r].total.push(...times.setup.map((t, f) => t + times.first[f] + times.cleanup[f]));
        parts[r].cpuMs.push((times.cpuSeconds * 1000) / times.setup.length);
      });
  } finally {
    warm.down();
    rmSync(dir, { recursive: true, force: true });
  }
  ROWS.forEach((row, r) =>
    console.log(
      `| ${provider} | ${row} | ${summary(parts[r].setup)} | ${summary(parts[r].first)} | ${summary(parts[r].cleanup)} | ${summary(parts[r].total)} | ${spread(parts[r].sessions, 0)} | ${summary(parts[r].cpuMs)} |`,
    ),
  );
}
console.log(
  `\n${values.runs} rounds of ${values.files} files; median (min–max) per file (machine CPU: per round); Node ${process.version}.`,
);
