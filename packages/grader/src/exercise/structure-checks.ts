import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { isDeepStrictEqual } from "node:util";
import {
  ALIASES,
  LAYOUT,
  stageOfFile,
  testFilesIn,
  visibleTestFiles,
} from "@backend-sandbox/testkit/runner";
import { readHints } from "./hints-file";
import { loadExercise, maxScore, type Exercise } from "./manifest";
import { readTestTitles, ruleTraceChecks } from "./rule-trace";
import { srcDigest } from "./stub-digest";
import { JEST_CONFIG, packageJson, TSCONFIG } from "./template";
import { readWrongSolution, wrongSolutionBugs, WrongSolutionError } from "./wrong-solution-patch";

export interface Check {
  ok: boolean;
  /** What must hold, e.g. "package.json scripts match the template". */
  what: string;
  /** What was seen when it does not hold. */
  detail?: string;
  /** Printed even when it holds, because its text carries counts (the rule trace's). */
  show?: boolean;
}

/** What an exercise folder holds, and nothing else (../shared/DESIGN.md, "Exercise contract"). */
const REQUIRED = [
  "README.md",
  "package.json",
  "tsconfig.json",
  "jest.config.js",
  `${LAYOUT.source}/`,
  `${LAYOUT.tests}/`,
  LAYOUT.manifest,
  LAYOUT.hints,
  `${LAYOUT.solution}/`,
  `${LAYOUT.hidden}/`,
];
// node_modules and .turbo are what npm and turbo leave in a workspace (git ignores both).
const OPTIONAL = [`${LAYOUT.wrongSolutions}/`, "node_modules/", ".turbo/"];

/** The README's `##` sections, in this order; "Pinned choices" may be left out. */
const README_SECTIONS = ["The interface", "Stages", "Pinned choices", "Standards", "Running"];
const OPTIONAL_SECTIONS = ["Pinned choices"];

/** Every exercise is worth the same, so a class's totals weigh exercises alike. */
export const EXERCISE_POINTS = 100;

/**
 * The shape checks of `sandbox verify`, each one counted on its own: the folder's files (none
 * missing, none stray), the files shared with the template, the README's sections, the stub and
 * the solution, every wrong solution a patch that applies, and, with a valid manifest, the stages
 * (points, test files, hidden tests, hints) and the rule trace (rule-trace.ts). Returns the
 * exercise too when its manifest is valid.
 */
export function structureChecks(dir: string): { checks: Check[]; exercise?: Exercise } {
  const { check: manifest, exercise } = manifestCheck(dir);
  const checks = [
    ...folderChecks(dir),
    manifest,
    ...templateChecks(dir),
    readmeSectionsCheck(dir),
    ...stubAndSolutionChecks(dir),
    ...wrongSolutionChecks(dir),
  ];
  if (!exercise) return { checks };
  const testFiles = [...visibleTestFiles(dir), ...testFilesIn(path.join(dir, LAYOUT.hidden))];
  checks.push(
    ...stageChecks(dir, exercise, testFiles),
    sourceImportsCheck(dir, testFiles),
    ...ruleTraceChecks(dir, exercise, testFiles),
    ...stubDigestChecks(exercise),
  );
  return { checks, exercise };
}

/**
 * exercise.json's `stubDigest`, when it has one, is src/'s: a learner's desk grade reports an
 * untouched src/ as not started on its word (the stub's 0 is what verify proves).
 */
function stubDigestChecks(exercise: Exercise): Check[] {
  const shipped = exercise.manifest.stubDigest;
  if (shipped === undefined) return [];
  const now = srcDigest(exercise);
  return [
    {
      ok: now === shipped,
      what: "exercise.json's stubDigest is the digest of src/",
      ...(now === shipped
        ? {}
        : {
            detail: `src/ is ${now} now: \`npx sandbox format --stub-digest ${shownPath(exercise.dir)}\` writes it`,
          }),
    },
  ];
}

/** A folder as a maintainer types it: relative to where they are, absolute when outside it. */
function shownPath(dir: string): string {
  const relative = path.relative(process.cwd(), dir);
  return relative === "" ? "." : relative.startsWith("..") ? dir : relative;
}

/** Every required file present (folders not empty), and nothing the contract does not name. */
function folderChecks(dir: string): Check[] {
  const checks: Check[] = REQUIRED.map((file) => {
    const target = path.join(dir, file);
    const ok = file.endsWith("/")
      ? existsSync(target) && statSync(target).isDirectory() && readdirSync(target).length > 0
      : existsSync(target);
    return { ok, what: `has ${file}`, ...(ok ? {} : { detail: "missing or empty" }) };
  });
  const allowed = new Set([...REQUIRED, ...OPTIONAL].map((entry) => entry.replace(/\/$/, "")));
  const strays = [".", ".meta"].flatMap((folder) =>
    existsSync(path.join(dir, folder))
      ? readdirSync(path.join(dir, folder))
          .map((name) => path.posix.join(folder, name))
          .filter((entry) => entry !== ".meta" && !allowed.has(entry))
      : [],
  );
  checks.push(
    problems(
      "holds nothing but the contract's files (README, package.json, tsconfig.json, jest.config.js, src, test, .meta)",
      strays.map((entry) => `${entry} is not part of an exercise`),
    ),
  );
  return checks;
}

function manifestCheck(dir: string): { check: Check; exercise?: Exercise } {
  const what = ".meta/exercise.json is valid";
  try {
    return { check: { ok: true, what }, exercise: loadExercise(dir) };
  } catch (error) {
    return { check: { ok: false, what, detail: (error as Error).message } };
  }
}

/** package.json, tsconfig.json and jest.config.js as `sandbox new` writes them, but for the slug. */
function templateChecks(dir: string): Check[] {
  const slug = path.basename(dir);
  const read = (file: string) => readFileSync(path.join(dir, file), "utf8");
  return [
    sameAs("package.json name and scripts match the template", () => {
      const actual = JSON.parse(read("package.json"));
      const wanted = packageJson(slug);
      return isDeepStrictEqual(
        { name: actual.name, scripts: actual.scripts },
        { name: wanted.name, scripts: wanted.scripts },
      );
    }),
    sameAs("tsconfig.json matches the template", () =>
      isDeepStrictEqual(JSON.parse(read("tsconfig.json")), TSCONFIG),
    ),
    sameAs(
      "jest.config.js matches the template",
      () => read("jest.config.js").trim() === JEST_CONFIG.trim(),
    ),
  ];
}

/** The README's `##` sections are the uniform ones, in order, so every exercise reads alike. */
function readmeSectionsCheck(dir: string): Check {
  const what = `README.md has the sections ${README_SECTIONS.map((s) => `"${s}"`).join(", ")} in that order ("Pinned choices" optional)`;
  let readme: string;
  try {
    readme = readFileSync(path.join(dir, "README.md"), "utf8");
  } catch {
    return { ok: false, what, detail: "no README.md" };
  }
  const seen = readme
    .replace(/^(```|~~~)[\s\S]*?^\1/gm, "")
    .split("\n")
    .filter((line) => /^## /.test(line))
    .map((line) => line.slice(3).trim());
  const wanted = README_SECTIONS.filter(
    (section) => !OPTIONAL_SECTIONS.includes(section) || seen.includes(section),
  );
  return isDeepStrictEqual(seen, wanted)
    ? { ok: true, what }
    : { ok: false, what, detail: `it has ${seen.map((s) => `"${s}"`).join(", ") || "none"}` };
}

/**
 * The stub has a `// TODO` and no `void x;` placeholders (lint does not ask for them); the
 * solution has every file of the stub (the tests import those) and may add modules of its own,
 * as a learner may.
 */
function stubAndSolutionChecks(dir: string): Check[] {
  const stubDir = path.join(dir, LAYOUT.source);
  const solutionDir = path.join(dir, LAYOUT.solution);
  const stub = filesUnder(stubDir);
  const solution = filesUnder(solutionDir).map((f) => path.relative(solutionDir, f));
  const unmatched = stub.map((f) => path.relative(stubDir, f)).filter((f) => !solution.includes(f));
  const voids = stub.flatMap((file) =>
    readFileSync(file, "utf8")
      .split("\n")
      .flatMap((line, i) =>
        /^\s*void [A-Za-z_$][\w$]*;\s*$/.test(line) ? [`${path.relative(dir, file)}:${i + 1}`] : [],
      ),
  );
  return [
    {
      ok: stub.some((file) => readFileSync(file, "utf8").includes("// TODO")),
      what: "the stub in src/ has a // TODO",
    },
    problems(
      "the stub has no `void x;` placeholders (lint lets a stub leave parameters unused)",
      voids,
    ),
    problems(
      ".meta/solution/ has every file of src/ (and may add modules of its own)",
      unmatched.length ? [`missing ${unmatched.join(", ")}`] : [],
    ),
  ];
}

/**
 * The exercise is worth 100 points; every test file names a stage; every stage has a hidden test
 * and hints.
 */
function stageChecks(dir: string, exercise: Exercise, testFiles: string[]): Check[] {
  const stages = exercise.manifest.stages.map((s) => s.id);
  const points = maxScore(exercise.manifest);
  const strays = testFiles
    .filter((file) => !stages.includes(stageOfFile(file)))
    .map((file) => path.relative(dir, file));
  const hidden = testFilesIn(path.join(dir, LAYOUT.hidden));
  const hints = readHints(path.join(dir, LAYOUT.hints));
  return [
    problems(
      `the stages' points add up to ${EXERCISE_POINTS}`,
      points === EXERCISE_POINTS ? [] : [`they add up to ${points}`],
    ),
    problems("every test file names a stage of exercise.json", strays),
    ...stages.flatMap((stage) => [
      {
        ok: hidden.some((file) => stageOfFile(file) === stage),
        what: `stage ${stage} has a hidden test`,
      },
      {
        ok: (hints.get(stage)?.length ?? 0) > 0,
        what: `stage ${stage} has hints in .meta/hints.md`,
      },
    ]),
  ];
}

/**
 * Tests import the code under test only as `#src/<file>` with a file the stub has: a learner's
 * src/ starts as the stub, so a test that reaches for a module only the solution has cannot pass
 * for a learner who structures the code their own way.
 */
function sourceImportsCheck(dir: string, testFiles: string[]): Check {
  const stubDir = path.join(dir, LAYOUT.source);
  const support = filesUnder(path.join(dir, LAYOUT.support));
  const pattern = new RegExp(`["']${ALIASES.source}/([^"']+)["']`, "g");
  // As Jest resolves `#src/app`: the file itself, with .ts, or a folder's index.ts.
  const stubHas = (module: string) =>
    ["", ".ts", "/index.ts"].some((ending) => isFile(path.join(stubDir, module + ending)));
  const missing = [...testFiles, ...support].flatMap((file) =>
    [...readFileSync(file, "utf8").matchAll(pattern)]
      .map((match) => match[1]!)
      .filter((module) => !stubHas(module))
      .map((module) => `${path.relative(dir, file)} imports ${ALIASES.source}/${module}`),
  );
  return problems("tests import only modules the stub has (#src/<file>)", [...new Set(missing)]);
}

/**
 * `.meta/wrong-solutions/` holds only `<bug>.patch` files, and each one says why, applies to the
 * solution with no fuzz and changes it. Applying is cheap, so a drifted patch shows up here, named,
 * before any grading.
 */
function wrongSolutionChecks(dir: string): Check[] {
  const folder = path.join(dir, LAYOUT.wrongSolutions);
  if (!existsSync(folder)) return [];
  const strays = readdirSync(folder, { withFileTypes: true })
    .filter((entry) => !(entry.isFile() && entry.name.endsWith(".patch")))
    .map((entry) =>
      entry.isDirectory()
        ? `${entry.name}/ is a folder: make it ${entry.name}.patch, a diff against .meta/solution/`
        : `${entry.name} is not a .patch`,
    );
  const checks: Check[] = [problems(".meta/wrong-solutions/ holds only <bug>.patch files", strays)];
  const stageIds = stagesOf(dir);
  const hiddenCitations = new Map(
    testFilesIn(path.join(dir, LAYOUT.hidden)).map((file) => [
      file,
      readTestTitles(file).flatMap((test) => test.cites),
    ]),
  );
  for (const bug of wrongSolutionBugs(dir)) {
    const what = `wrong solution ${bug} says why, applies to .meta/solution/ and changes it`;
    try {
      const wrong = readWrongSolution(dir, bug);
      const unknown = wrong.stages.filter((stage) => stageIds && !stageIds.includes(stage));
      const cited = rulesCitedIn(hiddenCitations, wrong.stages);
      const untested = wrong.breaks.filter((rule) => !cited.has(rule));
      const problem =
        wrong.why === ""
          ? "no text before the diff says why the code is wrong"
          : wrong.changed.length === 0
            ? "the patch applies but changes nothing"
            : unknown.length > 0
              ? `its Stages: line names ${unknown.join(", ")}, not stages of exercise.json`
              : untested.length > 0
                ? `its Breaks: line names ${untested.join(", ")}, which no hidden test${wrong.stages.length > 0 ? " of its stages" : ""} cites`
                : undefined;
      checks.push({ ok: problem === undefined, what, ...(problem ? { detail: problem } : {}) });
    } catch (error) {
      const detail = error instanceof WrongSolutionError ? error.problem : (error as Error).message;
      checks.push({ ok: false, what, detail });
    }
  }
  return checks;
}

/** The rules cited by the hidden test files (file → its citations) of these stages, or of all. */
function rulesCitedIn(citations: Map<string, string[]>, stages: string[]): Set<string> {
  return new Set(
    [...citations]
      .filter(([file]) => stages.length === 0 || stages.includes(stageOfFile(file)))
      .flatMap(([, cites]) => cites),
  );
}

/** The exercise's stage ids, or undefined when its manifest cannot be read (checked on its own). */
function stagesOf(dir: string): string[] | undefined {
  try {
    return loadExercise(dir).manifest.stages.map((stage) => stage.id);
  } catch {
    return undefined;
  }
}

/** A check that holds when `found` is empty, else lists what was found. */
function problems(what: string, found: string[]): Check {
  return found.length === 0 ? { ok: true, what } : { ok: false, what, detail: found.join("; ") };
}

function sameAs(what: string, compare: () => boolean): Check {
  try {
    return compare()
      ? { ok: true, what }
      : {
          ok: false,
          what,
          detail: "differs; run `sandbox new <slug>` elsewhere to see the template",
        };
  } catch (error) {
    return { ok: false, what, detail: (error as Error).message };
  }
}

function isFile(file: string): boolean {
  return existsSync(file) && statSync(file).isFile();
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
}
