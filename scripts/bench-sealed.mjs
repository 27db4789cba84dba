// `npm run bench:sealed`: what sealing costs. Grades every reference solution with
// `sandbox grade --solution`, unsealed (the learner's process as a plain child process, services
// shared by the whole grade) and sealed (`--sealed`: the learner's process in bubblewrap, services
// of each exercise's own), in turn (A B A B ...) so that a drifting machine weighs on both alike.
// Prints a Markdown table for docs/performance.md. Every run must score the maximum.
// Usage: node scripts/bench-sealed.mjs [--runs N] [--exercises a,b]
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: { runs: { type: "string", default: "3" }, exercises: { type: "string" } },
});
const root = join(import.meta.dirname, "..");
const sandbox = join(root, "packages/grader/bin/sandbox.js");
const slugs =
  values.exercises?.split(",") ??
  JSON.parse(readFileSync(join(root, "exercises/exercises.json"), "utf8"));
const scratch = mkdtempSync(join(tmpdir(), "bench-sealed-"));

/** One grade; wall seconds in all and per exercise. */
function grade(sealed) {
  const report = join(scratch, "report.json");
  const args = [sandbox, "grade", ...slugs, "--solution", "--quiet", "--json", report];
  if (sealed) args.push("--sealed");
  const started = performance.now();
  const run = spawnSync(process.execPath, args, { encoding: "utf8", cwd: root });
  const seconds = (performance.now() - started) / 1000;
  const { exercises, score, maxScore } = JSON.parse(readFileSync(report, "utf8"));
  if (run.status !== 0 || score !== maxScore)
    throw new Error(
      `grade ${sealed ? "--sealed " : ""}scored ${score}/${maxScore}:\n${run.stderr}`,
    );
  return { seconds, each: Object.fromEntries(exercises.map((e) => [e.slug, e.durationMs / 1000])) };
}

const median = (times) => [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)];
const runs = { unsealed: [], sealed: [] };
for (let i = 0; i < Number(values.runs); i++) {
  runs.unsealed.push(grade(false));
  runs.sealed.push(grade(true));
}
rmSync(scratch, { recursive: true, force: true });

console.log("| exercise | unsealed | sealed | ratio |");
console.log("| --- | --- | --- | --- |");
for (const slug of slugs) {
  const a = median(runs.unsealed.map((r) => r.each[slug]));
  const b = median(runs.sealed.map((r) => r.each[slug]));
  console.log(`| ${slug} | ${a.toFixed(1)} s | ${b.toFixed(1)} s | ${(b / a).toFixed(2)} |`);
}
const a = median(runs.unsealed.map((r) => r.seconds));
const b = median(runs.sealed.map((r) => r.seconds));
console.log(
  `| **whole grade** | **${a.toFixed(1)} s** | **${b.toFixed(1)} s** | **${(b / a).toFixed(2)}** |`,
);
console.log(
  `\n${values.runs} run(s) each, median wall seconds; Node ${process.version}; SANDBOX_SERVICES=${process.env.SANDBOX_SERVICES ?? "auto"}.`,
);
