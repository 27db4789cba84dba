// `npm run bench:verify`: what declaring a wrong solution's stages (`Stages:` in its patch) saves.
// For each exercise, grades every wrong solution the way `sandbox verify` does, once on the stages
// the patches declare and once on every stage's hidden tests (`--all-stages`), in turn (A B A B ...)
// so that a drifting machine weighs on both alike. Prints a Markdown table for docs/performance.md.
// Usage: node scripts/bench-verify.mjs [--runs N] [--exercises a,b]
import { readdirSync, readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: { runs: { type: "string", default: "1" }, exercises: { type: "string" } },
});
const root = join(import.meta.dirname, "..");
const sandbox = join(root, "packages/grader/bin/sandbox.js");
const slugs =
  values.exercises?.split(",") ??
  JSON.parse(readFileSync(join(root, "exercises/exercises.json"), "utf8"));

function verify(slug, bugs, allStages) {
  const args = [sandbox, "verify", slug, "--wrong-solution", bugs.join(",")];
  if (allStages) args.push("--all-stages");
  const started = performance.now();
  const run = spawnSync(process.execPath, args, { encoding: "utf8", cwd: root });
  const seconds = (performance.now() - started) / 1000;
  if (run.status !== 0) throw new Error(`verify ${slug} failed:\n${run.stdout}${run.stderr}`);
  return seconds;
}

const median = (times) => [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)];
console.log("| exercise | wrong solutions | declared stages | every stage | saved |");
console.log("| --- | --- | --- | --- | --- |");
const totals = { declared: 0, every: 0 };
for (const slug of slugs) {
  const bugs = readdirSync(join(root, "exercises", slug, ".meta/wrong-solutions"))
    .filter((name) => name.endsWith(".patch"))
    .map((name) => name.slice(0, -".patch".length));
  const declared = [];
  const every = [];
  for (let i = 0; i < Number(values.runs); i++) {
    declared.push(verify(slug, bugs, false));
    every.push(verify(slug, bugs, true));
  }
  totals.declared += median(declared);
  totals.every += median(every);
  const saved = 1 - median(declared) / median(every);
  console.log(
    `| ${slug} | ${bugs.length} | ${median(declared).toFixed(1)} s | ${median(every).toFixed(1)} s | ${(100 * saved).toFixed(0)}% |`,
  );
}
console.log(
  `| all | | ${totals.declared.toFixed(1)} s | ${totals.every.toFixed(1)} s | ${(100 * (1 - totals.declared / totals.every)).toFixed(0)}% |`,
);
console.log(
  `\n${values.runs} run(s) each, median wall seconds; Node ${process.version}; SANDBOX_SERVICES=${process.env.SANDBOX_SERVICES ?? "auto"}.`,
);
