// `npm run bench:checkout-seal`: what the trusted checkout's seal costs each `sandbox grade` and
// `grade-class` (packages/grader/src/run/checkout-seal.ts), on this checkout, side by side in one
// run (A B C in turn, --runs rounds):
//   take, every file read     a seal without kept hashes (every session before 2026-12-02)
//   take, from kept hashes    a seal reusing .sandbox/cache/checkout-seal.json's hashes
//   check                     the comparison after each exercise
// CPU of the bench's own process (process.cpuUsage), median and min-max in milliseconds.
// Usage: node scripts/bench-checkout-seal.mjs [--runs N]
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { median } from "./bench-stats.mjs";

const { values } = parseArgs({ options: { runs: { type: "string", default: "5" } } });
const root = join(import.meta.dirname, "..");
const grader = join(root, "packages/grader");

const script = `
  const { mkdtempSync, rmSync } = require("node:fs");
  const { tmpdir } = require("node:os");
  const path = require("node:path");
  const { CheckoutSeal } = require("./src/run/checkout-seal.ts");
  const roots = { repoRoot: ${JSON.stringify(root)}, exercisesDir: ${JSON.stringify(join(root, "exercises"))} };
  const scratch = mkdtempSync(path.join(tmpdir(), "bench-seal-"));
  const hashCacheFile = path.join(scratch, "checkout-seal.json");
  const cpuMs = (work) => { const start = process.cpuUsage(); work(); const used = process.cpuUsage(start); return (used.user + used.system) / 1000; };
  CheckoutSeal.take(roots, { hashCacheFile }); // the kept hashes, and a warm file-system cache
  const rows = { "take, every file read": [], "take, from kept hashes": [], "check": [] };
  let files = 0;
  for (let round = 0; round < ${Number(values.runs)}; round++) {
    rows["take, every file read"].push(cpuMs(() => (files = CheckoutSeal.take(roots).size)));
    let seal;
    rows["take, from kept hashes"].push(cpuMs(() => (seal = CheckoutSeal.take(roots, { hashCacheFile }))));
    rows["check"].push(cpuMs(() => { if (seal.changes().length) throw new Error("the checkout changed during the bench"); }));
  }
  rmSync(scratch, { recursive: true, force: true });
  console.log(JSON.stringify({ files, rows }));`;
const run = spawnSync(process.execPath, ["--require", "tsx/cjs", "-e", script], {
  cwd: grader,
  encoding: "utf8",
  stdio: ["ignore", "pipe", "inherit"],
});
if (run.status !== 0) throw new Error(`the bench's process failed (exit ${run.status})`);
const { files, rows } = JSON.parse(run.stdout);
console.log(
  `\nThe checkout seal on this checkout (${files} trusted files), ${values.runs} rounds:\n`,
);
console.log("| operation | CPU ms, median | min-max |");
console.log("| --- | ---: | --- |");
for (const [name, list] of Object.entries(rows))
  console.log(
    `| ${name} | ${median(list).toFixed(0)} | ${Math.min(...list).toFixed(0)}-${Math.max(...list).toFixed(0)} |`,
  );
