// `npm run bench:verify`: what `sandbox verify` spends, two ways side by side, in turn (A B A B ...)
// so that a drifting machine weighs on both alike. Prints a Markdown table for docs/performance.md.
// --compare stages (default): what declaring a wrong solution's stages (`Stages:` in its patch)
//   saves: every wrong solution graded on the stages its patch declares, and on every stage's
//   hidden tests (`--all-stages`).
// --compare jobs: what verify's defaults (more gradings at once than cores, each Jest run in band)
//   save over two gradings at once of two Jest workers each (`--jobs 2 --jest-workers 2`, the
//   defaults before): every grading of the exercise, solution, stub and wrong solutions.
// Usage: node scripts/bench-verify.mjs [--runs N] [--exercises a,b] [--compare stages|jobs]
import { readdirSync, readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "1" },
    exercises: { type: "string" },
    compare: { type: "string", default: "stages" },
  },
});
const root = join(import.meta.dirname, "..");
const sandbox = join(root, "packages/grader/bin/sandbox.js");
const slugs =
  values.exercises?.split(",") ??
  JSON.parse(readFileSync(join(root, "exercises/exercises.json"), "utf8"));

/** The two ways compared: a heading each and the verify arguments of an exercise. */
const COMPARISONS = {
  stages: {
    heads: ["declared stages", "every stage"],
    what: "wrong solutions",
    count: (slug) => wrongSolutions(slug).length,
    args: (slug) => {
      const only = ["--wrong-solution", wrongSolutions(slug).join(",")];
      return [
        [slug, ...only],
        [slug, ...only, "--all-stages"],
      ];
    },
  },
  jobs: {
    heads: ["defaults (in band)", "--jobs 2 --jest-workers 2"],
    what: "gradings",
    count: (slug) => wrongSolutions(slug).length + 2,
    args: (slug) => [[slug], [slug, "--jobs", "2", "--jest-workers", "2"]],
  },
};
const comparison = COMPARISONS[values.compare];
if (!comparison) {
  console.error(`--compare wants one of ${Object.keys(COMPARISONS).join(", ")}`);
  process.exit(2);
}

function wrongSolutions(slug) {
  return readdirSync(join(root, "exercises", slug, ".meta/wrong-solutions"))
    .filter((name) => name.endsWith(".patch"))
    .map((name) => name.slice(0, -".patch".length));
}

/** Wall seconds of one `sandbox verify` with these arguments; it must pass. */
function verify(args) {
  const started = performance.now();
  const run = spawnSync(process.execPath, [sandbox, "verify", ...args], {
    encoding: "utf8",
    cwd: root,
  });
  const seconds = (performance.now() - started) / 1000;
  if (run.status !== 0)
    throw new Error(`verify ${args.join(" ")} failed:\n${run.stdout}${run.stderr}`);
  return seconds;
}

const median = (times) => [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)];
const [headA, headB] = comparison.heads;
console.log(`| exercise | ${comparison.what} | ${headA} | ${headB} | saved |`);
console.log("| --- | --- | --- | --- | --- |");
const totals = { a: 0, b: 0 };
for (const slug of slugs) {
  const [argsA, argsB] = comparison.args(slug);
  const a = [];
  const b = [];
  for (let i = 0; i < Number(values.runs); i++) {
    a.push(verify(argsA));
    b.push(verify(argsB));
  }
  totals.a += median(a);
  totals.b += median(b);
  const saved = 1 - median(a) / median(b);
  console.log(
    `| ${slug} | ${comparison.count(slug)} | ${median(a).toFixed(1)} s | ${median(b).toFixed(1)} s | ${(100 * saved).toFixed(0)}% |`,
  );
}
console.log(
  `| all | | ${totals.a.toFixed(1)} s | ${totals.b.toFixed(1)} s | ${(100 * (1 - totals.a / totals.b)).toFixed(0)}% |`,
);
console.log(
  `\n${values.runs} run(s) each, median wall seconds; Node ${process.version}; SANDBOX_SERVICES=${process.env.SANDBOX_SERVICES ?? "auto"}.`,
);
