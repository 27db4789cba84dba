// `npm run bench`: the wall time of a Jest run that uses Redis and Postgres, by how it gets them,
// side by side in one run, for docs/performance.md. Two suites:
//   bench          packages/testkit/bench/suite: five tests, each a Redis and a Postgres round trip
//   rate-limiting  the exercise's visible tests against its reference solution (a learner's npm test)
// Rows, per provider (native, docker):
//   services per run   what CI does: the run starts its own and ends them (SANDBOX_WARM_SERVICES=0)
//   warm services      the learner's loop: the first run starts them, later runs attach
//   already running    the same servers handed down to the run, as the grader hands down the warm
//                      ones at a learner's desk, their keeper's spare databases included (the goal's yardstick)
// and, for the bench suite, the floor: the same file with no services (Jest and ts-jest alone).
// "first" is a run with Jest's transform cache cleared (and, for a warm row, no warm services yet);
// "next" is the run right after it. Medians of --runs rounds, min-max beside them.
// Usage: node scripts/bench-services.mjs [--runs N] [--providers native,docker] [--suites bench,rate-limiting]
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { benchEnv } from "./bench-env.mjs";
import { median, spread } from "./bench-stats.mjs";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "3" },
    providers: { type: "string", default: "native,docker" },
    suites: { type: "string", default: "bench,rate-limiting" },
  },
});
const runs = Number(values.runs);
const root = join(import.meta.dirname, "..");
const jest = join(root, "node_modules/jest/bin/jest.js");
const cacheDirectory = join(root, ".sandbox/bench-jest-cache");
const sandbox = join(root, "packages/grader/bin/sandbox.js");

const SUITES = {
  bench: { cwd: join(root, "packages/testkit/bench/suite"), env: {} },
  "rate-limiting": {
    cwd: join(root, "exercises/rate-limiting"),
    env: { SANDBOX_SOURCE_DIR: join(root, "exercises/rate-limiting/.meta/solution") },
  },
};

function runJest(suite, env) {
  const started = performance.now();
  const result = spawnSync(
    process.execPath,
    [jest, "--cacheDirectory", cacheDirectory, "--silent"],
    { cwd: SUITES[suite].cwd, env: { ...env, ...SUITES[suite].env }, encoding: "utf8" },
  );
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 0)
    throw new Error(`${suite} run failed:\n${result.stdout}${result.stderr}`);
  return seconds;
}

/** One round of a row: [first, next] wall seconds; "first" starts with Jest's cache cleared. */
function round(suite, row, provider, warmDir) {
  const env = rowEnv(row, provider, warmDir);
  rmSync(cacheDirectory, { recursive: true, force: true });
  return [runJest(suite, env), runJest(suite, env)];
}

/** The environment of a row, after readying its services (none, none yet, or already running). */
function rowEnv(row, provider, warmDir) {
  if (row === "floor") return benchEnv({ BENCH_FLOOR: "1" });
  if (row === "services per run")
    return benchEnv({ SANDBOX_SERVICES: provider, SANDBOX_WARM_SERVICES: "0" });
  const warm = benchEnv({
    SANDBOX_SERVICES: provider,
    SANDBOX_WARM_SERVICES: "1",
    SANDBOX_WARM_DIR: warmDir,
  });
  if (row === "warm services") {
    spawnSync(process.execPath, [sandbox, "services", "down"], { env: warm });
    return warm;
  }
  // already running: the warm row's servers, handed down as the grader hands a run its services
  // (not as SANDBOX_SERVICES=external, which refuses the fault tests their own servers).
  spawnSync(process.execPath, [sandbox, "services", "up"], { env: warm });
  const state = JSON.parse(readFileSync(join(warmDir, "state.json"), "utf8"));
  return benchEnv({
    SANDBOX_SERVICES: provider,
    SANDBOX_PROVIDER: provider,
    SANDBOX_REDIS_URL: state.redisUrl,
    SANDBOX_DATABASE_URL: state.databaseUrl,
  });
}

const summary = (times) => spread(times, 2, "s");

const results = [];
for (const suite of values.suites.split(",")) {
  if (!SUITES[suite]) throw new Error(`unknown suite ${suite}: ${Object.keys(SUITES).join(", ")}`);
  const rows = [
    ...(suite === "bench" ? [["floor", "none"]] : []),
    ...values.providers
      .split(",")
      .flatMap((provider) =>
        ["services per run", "warm services", "already running"].map((row) => [row, provider]),
      ),
  ];
  for (const [row, provider] of rows) results.push({ suite, row, provider, first: [], next: [] });
  const warmDirs = Object.fromEntries(
    values.providers.split(",").map((p) => [p, mkdtempSync(join(tmpdir(), "bench-warm-"))]),
  );
  // Rounds interleave the rows, so that a noisy minute spreads over all of them.
  for (let i = 0; i < runs; i++)
    for (const r of results.filter((x) => x.suite === suite)) {
      const [first, next] = round(suite, r.row, r.provider, warmDirs[r.provider]);
      r.first.push(first);
      r.next.push(next);
    }
  for (const [provider, dir] of Object.entries(warmDirs)) {
    spawnSync(process.execPath, [sandbox, "services", "down"], {
      env: benchEnv({ SANDBOX_SERVICES: provider, SANDBOX_WARM_DIR: dir }),
    });
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log("| suite | services | first run | next run |\n| --- | --- | --- | --- |");
for (const r of results)
  console.log(
    `| ${r.suite} | ${r.row === "floor" ? "none (floor: Jest alone)" : `${r.provider}, ${r.row}`} | ${summary(r.first)} | ${summary(r.next)} |`,
  );
// A ratio is taken round by round, between two runs a minute apart at most, and its median is
// printed: a machine whose speed drifts during the bench moves both sides of a pair alike.
console.log("\nRatios of the next runs, the median of each round's (the goals of issue #15):");
const nextRuns = (suite, row, provider = "none") =>
  results.find((r) => r.suite === suite && r.row === row && r.provider === provider)?.next ?? [];
const pairedRatio = (a, b) => median(a.map((seconds, i) => seconds / b[i])).toFixed(2);
for (const suite of values.suites.split(","))
  for (const provider of values.providers.split(",")) {
    const warm = nextRuns(suite, "warm services", provider);
    const running = nextRuns(suite, "already running", provider);
    const floor =
      suite === "bench" ? ` · to the floor ${pairedRatio(warm, nextRuns(suite, "floor"))}×` : "";
    console.log(
      `- ${suite}, ${provider}: warm services to already running ${pairedRatio(warm, running)}×${floor}`,
    );
  }
console.log(`\n${runs} rounds; median (min–max) wall seconds; Node ${process.version}.`);
