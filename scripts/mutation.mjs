// `npm run mutation -- <slug> [--files a.ts,b.ts:10-20] [--stages a,b] [--concurrency N]
// [--timeout-factor F] [--min-score P] [--out DIR]`: are the tests tested? StrykerJS (its Jest
// runner) mutates the exercise's reference solution (.meta/solution) and runs, for each mutant,
// the tests a grading runs (visible + hidden): a mutant no test fails on is a gap in the tests,
// or an equivalent mutant to document (docs/mutation-testing.md).
//
// The code under test runs in the learner's process, not in Jest's, so Stryker's in-process
// mutant switching and per-test coverage cannot reach it: coverage analysis is off (every mutant
// runs every test), and the active mutant crosses in __STRYKER_ACTIVE_MUTANT__, which the testkit
// hands to the learner's process (spawn-host.ts). Redis and Postgres start once here and are
// handed down to every Jest run (each test file still gets its own databases).
//
// Writes Stryker's JSON and HTML reports, summary.json and summary.md (a score per file and for
// the exercise) into .sandbox/mutation/<slug>/, and prints one line per file.
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { parseArgs } from "node:util";

const root = path.join(import.meta.dirname, "..");
const require = createRequire(import.meta.url);

const usage =
  "usage: npm run mutation -- <slug> [--files a.ts,b.ts:10-20] [--stages a,b] [--concurrency N] [--timeout-factor F] [--min-score P] [--out DIR] [--all-files]";
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    files: { type: "string" },
    stages: { type: "string" },
    concurrency: { type: "string", default: "1" },
    "timeout-factor": { type: "string", default: "1.5" },
    "min-score": { type: "string" },
    out: { type: "string" },
    "all-files": { type: "boolean", default: false },
  },
});

function fail(message) {
  console.error(`mutation: ${message}\n${usage}`);
  process.exit(2);
}

const slugs = JSON.parse(readFileSync(path.join(root, "exercises/exercises.json"), "utf8"));
const [slug] = positionals;
if (positionals.length !== 1 || !slugs.includes(slug))
  fail(`name one exercise of ${slugs.join(", ")}`);
const exerciseDir = path.join(root, "exercises", slug);
const solutionDir = path.join(exerciseDir, ".meta/solution");
const relative = (file) => path.relative(root, file).split(path.sep).join("/");

// The files to mutate: every solution file the learner writes, or those named (a `:from-to` line
// range narrows one; the same file may come several times with different ranges). A file the
// exercise gives (the same bytes in src/ and the solution: the app's wiring, shared types) is not
// the learner's work and no rule grades it, so it is left out unless named.
const solutionFiles = readdirSync(solutionDir).filter((name) => name.endsWith(".ts"));
const given = solutionFiles.filter((name) => sameBytes(name));
function sameBytes(name) {
  const stub = path.join(exerciseDir, "src", name);
  return existsSync(stub) && readFileSync(stub).equals(readFileSync(path.join(solutionDir, name)));
}
if (!values.files && given.length > 0)
  console.log(`mutation: not mutated, given in src/ as they are: ${given.join(", ")}`);
const mutate = (
  values.files?.split(",") ?? solutionFiles.filter((name) => !given.includes(name))
).map((spec) => {
  const [file, ...range] = spec.split(":");
  const lines = range.join(":"); // `10-20`, or with columns `10:5-12:1`
  if (!existsSync(path.join(solutionDir, file)))
    fail(`${file} is not a file of ${relative(solutionDir)}`);
  return `${relative(path.join(solutionDir, file))}${lines ? `:${lines}` : ""}`;
});

// `--stages` runs only those stages' test files: quicker while writing tests, but then a score is
// a lower bound (a mutant another stage's tests would kill counts as survived).
let testFiles;
if (values.stages) {
  const { testFilesIn, stageOfFile } = require("@backend-sandbox/testkit/exercise-layout");
  const stages = values.stages.split(",");
  const all = [
    ...testFilesIn(path.join(exerciseDir, "test"), path.join(exerciseDir, "test/support")),
    ...testFilesIn(path.join(exerciseDir, ".meta/hidden")),
  ];
  testFiles = all
    .filter((file) => stages.includes(stageOfFile(file)))
    .map((file) => path.relative(exerciseDir, file));
  if (testFiles.length === 0) fail(`no test files of the stages ${values.stages}`);
}

const outDir = path.resolve(values.out ?? path.join(root, ".sandbox/mutation", slug));
mkdirSync(outDir, { recursive: true });
const number = (name, min) => {
  const value = Number(values[name]);
  if (!Number.isFinite(value) || value < min) fail(`--${name} takes a number of at least ${min}`);
  return value;
};
const concurrency = number("concurrency", 1);
const timeoutFactor = number("timeout-factor", 1);
const minScore = values["min-score"] === undefined ? undefined : number("min-score", 0);

// Services once for the whole run, handed down through the environment (shared-services.ts).
require("tsx/cjs");
const { startSharedServices, sharedServicesEnv } = require("@backend-sandbox/testkit/runner");
process.env.CI ??= "true"; // no warm services: the run owns what it starts
const started = await startSharedServices(process.env);
Object.assign(process.env, sharedServicesEnv(started.services), {
  SANDBOX_MUTATION_SLUG: slug,
  SANDBOX_QUIET: "1",
  ...(testFiles ? { SANDBOX_MUTATION_TEST_FILES: JSON.stringify(testFiles) } : {}),
});
console.log(`mutation: ${slug}, services: ${started.description}`);

// Ctrl-C reaches Stryker's workers too (one process group); a signal aimed at this process alone
// (a CI step's timeout, `kill`) would leave them running: end them, then the services.
for (const signal of ["SIGINT", "SIGTERM"])
  process.once(signal, async () => {
    for (const pid of strykerWorkers(process.pid)) {
      try {
        process.kill(pid, "SIGTERM");
      } catch {
        // already gone
      }
    }
    await started.dispose();
    process.exit(130);
  });

const { Stryker } = await import("@stryker-mutator/core");
const tempDir = path.join(outDir, "tmp");
// Where a mutant's first failing test leaves its mark (scripts/mutation-bail-environment.cjs).
const bailDir = path.join(outDir, "bail");
rmSync(bailDir, { recursive: true, force: true });
mkdirSync(bailDir);
process.env.SANDBOX_MUTATION_BAIL_DIR = bailDir;
// Where the dry run records which mutants each test file reaches (the runner then runs only those
// files for a mutant: scripts/mutation-bail-runner.cjs); --all-files leaves it out.
const coverageDir = path.join(outDir, "coverage");
rmSync(coverageDir, { recursive: true, force: true });
if (!values["all-files"]) {
  mkdirSync(coverageDir);
  process.env.SANDBOX_MUTATION_COVERAGE_DIR = coverageDir;
}
const begun = performance.now();
let results;
try {
  process.chdir(root);
  results = await new Stryker({
    testRunner: "jest",
    plugins: ["@stryker-mutator/jest-runner"],
    jest: {
      projectType: "custom",
      configFile: path.join(root, "scripts/mutation-jest-config.cjs"),
      // Tests import `#src` for types only, so Jest's dependency graph knows no test of a file.
      enableFindRelatedTests: false,
    },
    coverageAnalysis: "off",
    mutate,
    // Stryker's sandbox: a copy of this exercise (and the base tsconfig its tsconfig extends),
    // with the repository's node_modules linked in.
    ignorePatterns: [
      "/*",
      "!/exercises",
      "/exercises/*",
      `!/exercises/${slug}`,
      `/exercises/${slug}/node_modules`,
      "!/tsconfig.base.json",
    ],
    tempDirName: path.relative(root, tempDir),
    cleanTempDir: "always",
    concurrency,
    // Stryker's Jest runs in band, in a long-lived process, and each test file's reaper (the
    // testkit's, which removes what the file started if its process dies) ends only with that
    // process: a fresh process every 10 mutants keeps them few.
    maxTestRunnerReuse: 10,
    timeoutFactor,
    timeoutMS: 10_000,
    dryRunTimeoutMinutes: 10,
    reporters: ["progress", "json", "html"],
    jsonReporter: { fileName: path.join(outDir, "mutation.json") },
    htmlReporter: { fileName: path.join(outDir, "mutation.html") },
    incremental: false,
    logLevel: "warn",
  }).runMutationTest();
} finally {
  await started.dispose();
  rmSync(tempDir, { recursive: true, force: true });
  rmSync(bailDir, { recursive: true, force: true });
  rmSync(coverageDir, { recursive: true, force: true });
}
const seconds = (performance.now() - begun) / 1000;

/** Stryker's worker processes that `pid` started (Linux /proc; none found elsewhere). */
function strykerWorkers(pid) {
  if (!existsSync("/proc")) return [];
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      try {
        // /proc/<pid>/stat: "pid (comm) state ppid ...": the comm may hold spaces, so split after ")".
        const stat = readFileSync(`/proc/${name}/stat`, "utf8");
        const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
        const command = readFileSync(`/proc/${name}/cmdline`, "utf8");
        return parent === pid && command.includes("@stryker-mutator");
      } catch {
        return false;
      }
    })
    .map(Number);
}

// A score per file, as Stryker counts it: detected (killed, timeout) over detected and
// undetected (survived, no coverage); compile and runtime errors left out, and the ignored: the
// equivalent mutants the solution documents in place (`// Stryker disable next-line <mutator>:
// <why no test can tell>`), counted in a column of their own so that none is hidden.
const blank = () => ({ killed: 0, timeout: 0, survived: 0, noCoverage: 0, errors: 0, ignored: 0 });
const key = {
  Killed: "killed",
  Timeout: "timeout",
  Survived: "survived",
  NoCoverage: "noCoverage",
  RuntimeError: "errors",
  CompileError: "errors",
  Ignored: "ignored",
};
const perFile = new Map();
const survivors = [];
for (const mutant of results) {
  const file = path.relative(solutionDir, path.resolve(root, mutant.fileName));
  if (!perFile.has(file)) perFile.set(file, blank());
  const counter = key[mutant.status];
  if (counter) perFile.get(file)[counter] += 1;
  if (mutant.status === "Survived" || mutant.status === "NoCoverage")
    survivors.push(
      `${file}:${mutant.location.start.line} ${mutant.mutatorName} -> ${JSON.stringify(mutant.replacement ?? "")}`,
    );
}
const score = (c) => {
  const valid = c.killed + c.timeout + c.survived + c.noCoverage;
  return valid === 0 ? null : (100 * (c.killed + c.timeout)) / valid;
};
const total = blank();
for (const counts of perFile.values())
  for (const name of Object.keys(total)) total[name] += counts[name];
const rows = [...[...perFile].sort(([a], [b]) => a.localeCompare(b)), ["(exercise)", total]];
const format = (value) => (value === null ? "n/a" : `${value.toFixed(1)}%`);

// Line ranges (`--files a.ts:10-20`) score some of a file's mutants, not the file.
const ranged = values.files?.includes(":") ?? false;
const summary = {
  slug,
  seconds: Math.round(seconds),
  partial:
    testFiles || ranged
      ? { stages: values.stages?.split(","), lines: ranged ? values.files : undefined }
      : undefined,
  files: Object.fromEntries(
    rows.map(([file, counts]) => [file, { ...counts, score: score(counts) }]),
  ),
  survivors,
};
writeFileSync(path.join(outDir, "summary.json"), `${JSON.stringify(summary, null, 2)}\n`);
const markdown = [
  `### Mutation score: ${slug}`,
  "",
  "| file | score | killed | timeout | survived | no coverage | errors | ignored (documented equivalents) |",
  "| --- | --- | --- | --- | --- | --- | --- | --- |",
  ...rows.map(
    ([file, c]) =>
      `| ${file} | ${format(score(c))} | ${c.killed} | ${c.timeout} | ${c.survived} | ${c.noCoverage} | ${c.errors} | ${c.ignored} |`,
  ),
  "",
  `${results.length} mutants in ${Math.round(seconds)} s${ranged ? `, on the lines of ${values.files} only` : ""}${testFiles ? `, tests of the stages ${values.stages} only (a lower bound)` : ""}.`,
  ...(survivors.length > 0
    ? [
        "",
        "<details><summary>Surviving mutants</summary>",
        "",
        ...survivors.map((s) => `- \`${s}\``),
        "",
        "</details>",
      ]
    : []),
  "",
].join("\n");
writeFileSync(path.join(outDir, "summary.md"), markdown);

for (const [file, c] of rows)
  console.log(
    `${file.padEnd(16)} ${format(score(c)).padStart(6)}  killed ${c.killed}, timeout ${c.timeout}, survived ${c.survived}, no coverage ${c.noCoverage}, errors ${c.errors}, ignored ${c.ignored}`,
  );
for (const survivor of survivors) console.log(`  survived: ${survivor}`);
console.log(
  `${results.length} mutants in ${Math.round(seconds)} s; reports in ${relative(outDir)}/`,
);

const below = rows.filter(([, c]) => minScore !== undefined && (score(c) ?? 100) < minScore);
if (below.length > 0) {
  console.error(`mutation: below ${minScore}%: ${below.map(([file]) => file).join(", ")}`);
  process.exitCode = 1;
}
