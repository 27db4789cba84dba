// `npm run bench:learner`: what starting a learner's process costs (the grader starts one or more
// per test file), with its packages bundled (package-bundles.ts) and file by file
// (SANDBOX_PACKAGE_BUNDLES=0), unsealed and sealed, in turn (A B A B ...) so that a drifting machine
// weighs on all alike. Each process loads express, ioredis and pg, as every exercise's code does,
// and is stopped. CPU is the whole machine's (/proc/stat), so run it on an otherwise quiet machine.
// Prints a Markdown table for docs/performance.md.
// Usage: node scripts/bench-learner-process.mjs [--processes N] [--runs N] [--modes unsealed,sealed]
import { join } from "node:path";
import { parseArgs } from "node:util";
import { measuredRun } from "./bench-stats.mjs";

const { values } = parseArgs({
  options: {
    processes: { type: "string", default: "20" },
    runs: { type: "string", default: "2" },
    modes: { type: "string", default: "unsealed,sealed" },
  },
});
const root = join(import.meta.dirname, "..");
const testkit = join(root, "packages/testkit");
const exerciseDir = join(testkit, "test/fixtures/learner-exercise");

/** Starts `count` learner's processes one after another, in a Node process of its own. */
function startProcesses(sealed, bundled, count) {
  const script = `
    const { LearnerProcess } = require(${JSON.stringify(join(testkit, "src/learner/learner-process.ts"))});
    const scratch = require(${JSON.stringify(join(testkit, "src/learner/run-scratch.ts"))});
    // As in a Jest run: a scratch folder whose transform cache the run's sealed processes share.
    const dir = (process.env[scratch.RUN_SCRATCH_ENV] = scratch.createRunScratch());
    (async () => {
      for (let i = 0; i < ${count}; i++) {
        const learner = await LearnerProcess.start({
          exerciseDir: ${JSON.stringify(exerciseDir)},
          sourceDir: ${JSON.stringify(join(exerciseDir, "src"))},
          sealed: ${sealed},
          dependencies: ["express", "ioredis", "pg"],
          modulePaths: [${JSON.stringify(join(root, "node_modules"))}],
          readOnly: [${JSON.stringify(join(root, "node_modules"))}, ${JSON.stringify(join(testkit, "src"))}],
          echoOutput: false,
        });
        await learner.module("packages").packagesLoaded(["express", "ioredis", "pg"]);
        await learner.stop();
      }
      scratch.removeScratch(dir, false);
    })().catch((error) => { console.error(error); process.exit(1); });`;
  const env = { ...process.env, SANDBOX_PACKAGE_BUNDLES: bundled ? "1" : "0" };
  // As the grader's bin/sandbox.js does for the processes it starts (compile-cache.js).
  env.NODE_COMPILE_CACHE ||= join(root, ".sandbox/cache/node");
  const { seconds, cpu } = measuredRun(
    "the bench's process",
    process.execPath,
    ["--require", "tsx/cjs", "-e", script],
    { cwd: testkit, env, stdio: ["ignore", "inherit", "inherit"] },
  );
  return { cpu, wall: seconds };
}

const count = Number(values.processes);
const modes = values.modes.split(",");
const ways = modes.flatMap((mode) => [
  { mode, bundled: true },
  { mode, bundled: false },
]);
const results = new Map(ways.map((way) => [way, []]));
// One round to warm up (bundles made, compile cache written), not counted.
for (const way of ways) startProcesses(way.mode === "sealed", way.bundled, 2);
for (let round = 0; round < Number(values.runs); round++)
  for (const way of ways) {
    const measured = startProcesses(way.mode === "sealed", way.bundled, count);
    results.get(way).push(measured);
    console.error(
      `${way.mode}, ${way.bundled ? "bundled" : "file by file"}: ${measured.cpu.toFixed(1)} CPU-s, ${measured.wall.toFixed(1)} s`,
    );
  }

const each = (list, field) => list.map((m) => (m[field] / count).toFixed(3)).join(", ");
console.log(
  `\n${count} learner's processes a run, each loading express, ioredis and pg; per process:\n`,
);
console.log("| learner's process | packages | CPU-seconds | wall seconds |");
console.log("| --- | --- | --- | --- |");
for (const way of ways) {
  const list = results.get(way);
  console.log(
    `| ${way.mode} | ${way.bundled ? "bundled" : "file by file"} | ${each(list, "cpu")} | ${each(list, "wall")} |`,
  );
}
