// `npm run bench:first-grade`: what a newcomer waits for in their first `npm run grade`, at a
// learner's desk (CI unset), side by side in one run, for docs/performance.md. Two rows, on the
// exercises as this commit ships them (`git archive HEAD exercises`):
//   as shipped     each src/ the stub, its exercise.json's stubDigest matching: "not started"
//   stubs graded   the same with stubDigest taken out, so every stub's tests run (the grade before
//                  stubDigest existed, and a learner's first grade once they changed every src/)
// The warm services are up before the rounds (Docker running and images present, as the goal of
// issue #15 says). Rounds interleave the rows; medians of --runs, min-max beside them.
// Usage: node scripts/bench-first-grade.mjs [--runs N] [--provider docker|native]
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { benchEnv } from "./bench-env.mjs";
import { spread } from "./bench-stats.mjs";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "3" },
    provider: { type: "string", default: "docker" },
  },
});
const runs = Number(values.runs);
const root = join(import.meta.dirname, "..");
const sandbox = join(root, "packages/grader/bin/sandbox.js");
const scratch = mkdtempSync(join(tmpdir(), "bench-first-grade-"));

/** `exercises/` as HEAD has it, extracted under `scratch/<name>/`; returns that exercises folder. */
function shippedExercises(name) {
  const dir = join(scratch, name);
  mkdirSync(dir);
  const archive = execFileSync("git", ["archive", "HEAD", "exercises"], {
    cwd: root,
    maxBuffer: 256 * 1024 * 1024,
  });
  execFileSync("tar", ["-x", "-C", dir], { input: archive });
  return join(dir, "exercises");
}

const rows = [
  { name: "as shipped", exercises: shippedExercises("shipped"), times: [] },
  { name: "stubs graded", exercises: shippedExercises("stubs"), times: [] },
];
for (const slug of readdirSync(rows[1].exercises, { withFileTypes: true })) {
  if (!slug.isDirectory()) continue;
  const file = join(rows[1].exercises, slug.name, ".meta/exercise.json");
  const manifest = JSON.parse(readFileSync(file, "utf8"));
  delete manifest.stubDigest;
  writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
}

const env = benchEnv({
  SANDBOX_SERVICES: values.provider,
  SANDBOX_WARM_DIR: join(scratch, "warm"),
  SANDBOX_STATE_DIR: join(scratch, "state"),
  SANDBOX_RESULTS_DIR: "",
});

function grade(row) {
  const started = performance.now();
  const run = spawnSync(process.execPath, [sandbox, "grade", "--quiet"], {
    cwd: root,
    env: { ...env, SANDBOX_EXERCISES_DIR: row.exercises },
    encoding: "utf8",
  });
  const seconds = (performance.now() - started) / 1000;
  const notStarted = (run.stdout.match(/^\S+ \(not started\)/gm) ?? []).length;
  if (run.status !== 0 || (row.name === "as shipped") !== notStarted > 0)
    throw new Error(`${row.name}: exit ${run.status}\n${run.stdout}${run.stderr}`);
  return seconds;
}

try {
  const up = spawnSync(process.execPath, [sandbox, "services", "up"], { env, encoding: "utf8" });
  if (up.status !== 0) throw new Error(`services up failed:\n${up.stdout}${up.stderr}`);
  for (let i = 0; i < runs; i++) for (const row of rows) row.times.push(grade(row));
} finally {
  spawnSync(process.execPath, [sandbox, "services", "down"], { env });
  rmSync(scratch, { recursive: true, force: true });
}

const summary = (times) => spread(times, 2, "s");
console.log(
  `| first \`npm run grade\` (${values.provider}, warm services up) | wall |\n| --- | --- |`,
);
for (const row of rows) console.log(`| ${row.name} | ${summary(row.times)} |`);
console.log(`\n${runs} rounds; median (min–max) wall seconds; Node ${process.version}.`);
