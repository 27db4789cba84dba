import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { isDeepStrictEqual } from "node:util";
import {
  LAYOUT,
  stageOfFile,
  testFilesIn,
  visibleTestFiles,
} from "@backend-sandbox/testkit/runner";
import { loadExercise, type Exercise } from "./manifest";
import { JEST_CONFIG, packageJson, TSCONFIG } from "./template";
import { readHints } from "./hints-file";
import { ruleTraceChecks } from "./rule-trace";
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

const REQUIRED = [
  "README.md",
  "package.json",
  "tsconfig.json",
  "jest.config.js",
  "src/",
  "test/",
  ".meta/exercise.json",
  ".meta/hints.md",
  ".meta/solution/",
  ".meta/hidden/",
];

/**
 * The shape checks of `sandbox verify`, each one counted on its own: required files, the files
 * shared with the template, test files naming stages, a hidden test and hints per stage, a `// TODO`
 * in the stub, every wrong solution a patch that applies, and the rule trace (README rules cited by
 * the tests: rule-trace.ts). Returns the exercise too when its manifest is valid.
 */
export function structureChecks(dir: string): { checks: Check[]; exercise?: Exercise } {
  const slug = path.basename(dir);
  const checks: Check[] = REQUIRED.map((file) => {
    const target = path.join(dir, file);
    const ok = file.endsWith("/")
      ? existsSync(target) && statSync(target).isDirectory() && readdirSync(target).length > 0
      : existsSync(target);
    return { ok, what: `has ${file}`, ...(ok ? {} : { detail: "missing or empty" }) };
  });
  let exercise: Exercise | undefined;
  try {
    exercise = loadExercise(dir);
    checks.push({ ok: true, what: ".meta/exercise.json is valid" });
  } catch (error) {
    checks.push({
      ok: false,
      what: ".meta/exercise.json is valid",
      detail: (error as Error).message,
    });
  }
  checks.push(
    sameAs("package.json name and scripts match the template", () => {
      const actual = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8"));
      const wanted = packageJson(slug);
      return isDeepStrictEqual(
        { name: actual.name, scripts: actual.scripts },
        { name: wanted.name, scripts: wanted.scripts },
      );
    }),
  );
  checks.push(
    sameAs("tsconfig.json matches the template", () =>
      isDeepStrictEqual(
        JSON.parse(readFileSync(path.join(dir, "tsconfig.json"), "utf8")),
        TSCONFIG,
      ),
    ),
  );
  checks.push(
    sameAs(
      "jest.config.js matches the template",
      () => readFileSync(path.join(dir, "jest.config.js"), "utf8").trim() === JEST_CONFIG.trim(),
    ),
  );
  const stub = filesUnder(path.join(dir, "src"));
  checks.push({
    ok: stub.some((file) => readFileSync(file, "utf8").includes("// TODO")),
    what: "the stub in src/ has a // TODO",
  });
  const solution = filesUnder(path.join(dir, ".meta", "solution")).map((f) =>
    path.relative(path.join(dir, ".meta", "solution"), f),
  );
  const stubNames = stub.map((f) => path.relative(path.join(dir, "src"), f));
  const unmatched = stubNames.filter((f) => !solution.includes(f));
  checks.push({
    ok: unmatched.length === 0,
    what: ".meta/solution/ has the same file names as src/",
    ...(unmatched.length ? { detail: `missing ${unmatched.join(", ")}` } : {}),
  });
  checks.push(...wrongSolutionChecks(dir));
  if (!exercise) return { checks };

  const stages = exercise.manifest.stages.map((s) => s.id);
  const hiddenDir = path.join(dir, LAYOUT.hidden);
  const testFiles = [...visibleTestFiles(dir), ...testFilesIn(hiddenDir)];
  const strays = testFiles
    .filter((file) => !stages.includes(stageOfFile(file)))
    .map((file) => path.relative(dir, file));
  checks.push({
    ok: strays.length === 0,
    what: "every test file names a stage of exercise.json",
    ...(strays.length ? { detail: strays.join(", ") } : {}),
  });
  checks.push(...ruleTraceChecks(dir, exercise, testFiles));
  const hints = readHints(path.join(dir, ".meta", "hints.md"));
  for (const stage of stages) {
    checks.push({
      ok: testFilesIn(hiddenDir).some((file) => stageOfFile(file) === stage),
      what: `stage ${stage} has a hidden test`,
    });
    checks.push({
      ok: (hints.get(stage)?.length ?? 0) > 0,
      what: `stage ${stage} has hints in .meta/hints.md`,
    });
  }
  return { checks, exercise };
}

/**
 * `.meta/wrong-solutions/` holds only `<bug>.patch` files, and each one says why, applies to the
 * solution with no fuzz and changes it. Applying is cheap, so a drifted patch shows up here, named,
 * before any grading.
 */
function wrongSolutionChecks(dir: string): Check[] {
  const folder = path.join(dir, ".meta", "wrong-solutions");
  if (!existsSync(folder)) return [];
  const strays = readdirSync(folder, { withFileTypes: true })
    .filter((entry) => !(entry.isFile() && entry.name.endsWith(".patch")))
    .map((entry) =>
      entry.isDirectory()
        ? `${entry.name}/ is a folder: make it ${entry.name}.patch, a diff against .meta/solution/`
        : `${entry.name} is not a .patch`,
    );
  const checks: Check[] = [
    {
      ok: strays.length === 0,
      what: ".meta/wrong-solutions/ holds only <bug>.patch files",
      ...(strays.length ? { detail: strays.join("; ") } : {}),
    },
  ];
  for (const bug of wrongSolutionBugs(dir)) {
    const what = `wrong solution ${bug} says why, applies to .meta/solution/ and changes it`;
    try {
      const wrong = readWrongSolution(dir, bug);
      const problem =
        wrong.why === ""
          ? "no text before the diff says why the code is wrong"
          : wrong.changed.length === 0
            ? "the patch applies but changes nothing"
            : undefined;
      checks.push({ ok: problem === undefined, what, ...(problem ? { detail: problem } : {}) });
    } catch (error) {
      const detail = error instanceof WrongSolutionError ? error.problem : (error as Error).message;
      checks.push({ ok: false, what, detail });
    }
  }
  return checks;
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

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
}
