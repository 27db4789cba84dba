// `npm run bench:cli-start`: what starting the `sandbox` CLI costs, two ways side by side in one
// run (A B in turn, --runs rounds), on the grader's fixture exercises:
//   own code through tsx   bin/sandbox.js: tsx for the grader's and testkit's TypeScript, Node's
//                          own loader and resolver for packages (testkit/src/tsx-own-code.js)
//   everything via tsx     tsx/cjs registered for the whole process (the CLI until 2026-12-02)
// CPU of each run from this process's reaped children (/proc/self/stat cutime + cstime), so the
// rest of the machine does not count. Median and min-max.
// Usage: node scripts/bench-cli-start.mjs [--runs N] [--args "verify partial --static"]
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { childrenCpuSeconds, spread } from "./bench-stats.mjs";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "10" },
    args: { type: "string", default: "verify partial --static" },
  },
});
const root = join(import.meta.dirname, "..");
const grader = join(root, "packages/grader");
const fromGrader = createRequire(join(grader, "package.json"));
const scratch = mkdtempSync(join(tmpdir(), "bench-cli-"));
// The CLI as it started before: the same steps, tsx/cjs for everything.
const everything = join(scratch, "sandbox-everything-via-tsx.js");
writeFileSync(
  everything,
  [
    `require(${JSON.stringify(fromGrader.resolve("@backend-sandbox/testkit/node-version"))}).exitIfNodeIsTooOld();`,
    `require(${JSON.stringify(fromGrader.resolve("@backend-sandbox/testkit/compile-cache"))}).useCompileCache();`,
    `require(${JSON.stringify(fromGrader.resolve("tsx/cjs"))});`,
    `require(${JSON.stringify(join(grader, "src/cli.ts"))});`,
  ].join("\n"),
);
const ways = [
  { name: "own code through tsx", bin: join(grader, "bin/sandbox.js") },
  { name: "everything via tsx", bin: everything },
];

const args = values.args.split(" ").filter(Boolean);
const env = {
  ...process.env,
  SANDBOX_EXERCISES_DIR: join(grader, "test/fixtures/exercises"),
  SANDBOX_RESULTS_DIR: "",
  CI: "1",
};
const results = new Map(ways.map((way) => [way, []]));
for (const way of ways) spawnSync(process.execPath, [way.bin, ...args], { env, cwd: grader });
for (let round = 0; round < Number(values.runs); round++)
  for (const way of ways) {
    const cpu = childrenCpuSeconds();
    const started = performance.now();
    spawnSync(process.execPath, [way.bin, ...args], { env, cwd: grader, stdio: "ignore" });
    results.get(way).push({
      cpu: childrenCpuSeconds() - cpu,
      wall: (performance.now() - started) / 1000,
    });
  }
rmSync(scratch, { recursive: true, force: true });

const cell = (list) => spread(list, 2);
console.log(`\n\`sandbox ${values.args}\`, ${values.runs} rounds, per run:\n`);
console.log("| CLI start | CPU-seconds, median (min-max) | wall seconds |");
console.log("| --- | --- | --- |");
for (const [way, list] of results)
  console.log(
    `| ${way.name} | ${cell(list.map((r) => r.cpu))} | ${cell(list.map((r) => r.wall))} |`,
  );
