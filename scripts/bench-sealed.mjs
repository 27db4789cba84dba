// `npm run bench:sealed`: what sealing costs. Grades every reference solution with
// `sandbox grade --solution`, unsealed (the learner's process as a plain child process, services
// shared by the whole grade) and sealed (`--sealed`: the learner's process in bubblewrap, services
// of each exercise's own), in turn (A B A B ...) so that a drifting machine weighs on both alike.
// With --in-process <checkout>, a third grade in the same turn: that checkout's own grader, e.g. a
// worktree of 2bba567 (the last commit that ran the code under test inside Jest, with
// `npm ci` run in it), the figure sealing is held to (docs/performance.md).
// Prints a Markdown table for docs/performance.md. Every run must score the maximum.
// Usage: node scripts/bench-sealed.mjs [--runs N] [--exercises a,b] [--in-process <checkout>]
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { median } from "./bench-stats.mjs";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "3" },
    exercises: { type: "string" },
    "in-process": { type: "string" },
  },
});
const root = join(import.meta.dirname, "..");
const slugs =
  values.exercises?.split(",") ??
  JSON.parse(readFileSync(join(root, "exercises/exercises.json"), "utf8"));
const scratch = mkdtempSync(join(tmpdir(), "bench-sealed-"));

/** One grade, by the grader of `checkout`; wall seconds in all and per exercise. */
function grade(sealed, checkout = root) {
  const report = join(scratch, "report.json");
  const sandbox = join(checkout, "packages/grader/bin/sandbox.js");
  const args = [sandbox, "grade", ...slugs, "--solution", "--quiet", "--json", report];
  if (sealed) args.push("--sealed");
  const started = performance.now();
  const run = spawnSync(process.execPath, args, { encoding: "utf8", cwd: checkout });
  const seconds = (performance.now() - started) / 1000;
  const { exercises, score, maxScore } = JSON.parse(readFileSync(report, "utf8"));
  if (run.status !== 0 || score !== maxScore)
    throw new Error(
      `grade ${sealed ? "--sealed " : ""}scored ${score}/${maxScore}:\n${run.stderr}`,
    );
  return { seconds, each: Object.fromEntries(exercises.map((e) => [e.slug, e.durationMs / 1000])) };
}

const inProcess = values["in-process"];
const runs = { inProcess: [], unsealed: [], sealed: [] };
for (let i = 0; i < Number(values.runs); i++) {
  if (inProcess) runs.inProcess.push(grade(false, inProcess));
  runs.unsealed.push(grade(false));
  runs.sealed.push(grade(true));
}
rmSync(scratch, { recursive: true, force: true });

const modes = inProcess ? ["inProcess", "unsealed", "sealed"] : ["unsealed", "sealed"];
const reference = modes[0];
/** A table row: median seconds per mode, then sealed over the reference mode. */
function row(label, pick, bold = (text) => text) {
  const seconds = Object.fromEntries(modes.map((m) => [m, median(runs[m].map(pick))]));
  const cells = modes.map((m) => bold(`${seconds[m].toFixed(1)} s`));
  const ratio = bold((seconds.sealed / seconds[reference]).toFixed(2));
  return `| ${bold(label)} | ${cells.join(" | ")} | ${ratio} |`;
}
console.log(`| exercise | ${modes.join(" | ")} | sealed / ${reference} |`);
console.log(`| --- |${" --- |".repeat(modes.length + 1)}`);
for (const slug of slugs) console.log(row(slug, (r) => r.each[slug]));
console.log(
  row(
    "whole grade",
    (r) => r.seconds,
    (text) => `**${text}**`,
  ),
);
console.log(
  `\n${values.runs} run(s) each, median wall seconds; Node ${process.version}; SANDBOX_SERVICES=${process.env.SANDBOX_SERVICES ?? "auto"}.`,
);
