// `npm run bench:verify`: what `sandbox verify` spends, two ways side by side, in turn (A B A B ...)
// so that a drifting machine weighs on both alike. Prints a Markdown table for docs/performance.md.
// By default, what declaring a wrong solution's stages (`Stages:` in its patch) saves: every
//   wrong solution graded on the stages its patch declares (stopping at the first failing test),
//   and on every test of every stage (`--all-stages`).
// --against <checkout>: this checkout's whole `sandbox verify <slug>` (solution, stub, wrong
//   solutions) against the same command of another checkout's grader, e.g. a worktree of an
//   earlier commit with `npm ci` run in it (`git worktree add ../before <commit>`). With
//   --together, one `sandbox verify a b ...` of all the exercises at once, as CI runs it, so that
//   how the gradings of several exercises share the queue counts too.
// Beside each wall time, the CPU-seconds the whole machine spent in it (/proc/stat: the servers
// in containers too), which a drifting machine moves less; run it on an otherwise quiet machine.
// Usage: node scripts/bench-verify.mjs [--runs N] [--exercises a,b] [--against <checkout> [--together]]
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { measuredRun, median } from "./bench-stats.mjs";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "1" },
    exercises: { type: "string" },
    against: { type: "string" },
    together: { type: "boolean", default: false },
  },
});
const root = join(import.meta.dirname, "..");
const slugs =
  values.exercises?.split(",") ??
  JSON.parse(readFileSync(join(root, "exercises/exercises.json"), "utf8"));

/** The two ways compared: a heading each, and each one's checkout and verify arguments. */
const against = values.against && resolve(values.against);
if (against && !existsSync(join(against, "packages/grader/bin/sandbox.js"))) {
  console.error(`--against ${values.against}: no packages/grader/bin/sandbox.js there`);
  process.exit(2);
}
if (values.together && !against) {
  console.error("--together compares whole verifies: give --against <checkout> too");
  process.exit(2);
}
const comparison = against
  ? {
      heads: ["this checkout", against],
      what: "gradings",
      count: (group) => group.reduce((n, slug) => n + wrongSolutions(slug).length + 2, 0),
      runs: (group) => [
        [root, group],
        [against, group],
      ],
    }
  : {
      heads: ["declared stages", "every stage"],
      what: "wrong solutions",
      count: ([slug]) => wrongSolutions(slug).length,
      runs: ([slug]) => {
        const only = ["--wrong-solution", wrongSolutions(slug).join(",")];
        return [
          [root, [slug, ...only]],
          [root, [slug, ...only, "--all-stages"]],
        ];
      },
    };

function wrongSolutions(slug) {
  return readdirSync(join(root, "exercises", slug, ".meta/wrong-solutions"))
    .filter((name) => name.endsWith(".patch"))
    .map((name) => name.slice(0, -".patch".length));
}

/**
 * Wall seconds and the machine's CPU-seconds of one `sandbox verify` of `checkout`'s grader with
 * these arguments; it must pass.
 */
function verify([checkout, args]) {
  const sandbox = join(checkout, "packages/grader/bin/sandbox.js");
  const { seconds, cpu } = measuredRun(
    `verify ${args.join(" ")}`,
    process.execPath,
    [sandbox, "verify", ...args],
    { cwd: checkout },
  );
  return { seconds, cpu };
}

/** The median of one measure over a side's runs. */
const medianOf = (runs, measure) => median(runs.map((run) => run[measure]));
/** How much less `a` is than `b`, in percent. */
const saving = (a, b) => `${(100 * (1 - a / b)).toFixed(0)}%`;

const [headA, headB] = comparison.heads;
console.log(
  `| exercise | ${comparison.what} | ${headA} | ${headB} | saved | CPU-s, ${headA} | CPU-s, ${headB} | saved |`,
);
console.log("| --- | --- | --- | --- | --- | --- | --- | --- |");
const totals = { a: 0, b: 0, cpuA: 0, cpuB: 0 };
const groups = values.together ? [slugs] : slugs.map((slug) => [slug]);
for (const group of groups) {
  const [argsA, argsB] = comparison.runs(group);
  const a = [];
  const b = [];
  for (let i = 0; i < Number(values.runs); i++) {
    a.push(verify(argsA));
    b.push(verify(argsB));
  }
  const [wallA, wallB] = [medianOf(a, "seconds"), medianOf(b, "seconds")];
  const [cpuA, cpuB] = [medianOf(a, "cpu"), medianOf(b, "cpu")];
  totals.a += wallA;
  totals.b += wallB;
  totals.cpuA += cpuA;
  totals.cpuB += cpuB;
  console.log(
    `| ${group.join(", ")} | ${comparison.count(group)} | ${wallA.toFixed(1)} s | ${wallB.toFixed(1)} s | ${saving(wallA, wallB)} | ${cpuA.toFixed(0)} | ${cpuB.toFixed(0)} | ${saving(cpuA, cpuB)} |`,
  );
}
console.log(
  `| all | | ${totals.a.toFixed(1)} s | ${totals.b.toFixed(1)} s | ${saving(totals.a, totals.b)} | ${totals.cpuA.toFixed(0)} | ${totals.cpuB.toFixed(0)} | ${saving(totals.cpuA, totals.cpuB)} |`,
);
console.log(
  `\n${values.runs} run(s) each, medians of wall seconds and of the machine's CPU-seconds; Node ${process.version}; SANDBOX_SERVICES=${process.env.SANDBOX_SERVICES ?? "auto"}.`,
);
