import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { loadExercise, planRun } from "../src/index";
import { runJestBatch, type JestRun } from "../src/run/run-jest";
import { FIXTURES, scratchDir } from "./run-sandbox";

// runJestBatch: one Jest process grades three copies of the partial fixture's code (hidden tests
// `basics` and `negatives`, two and three tests), each a project that stops at its own first
// failing test, with each project's results reported apart.
const copy = scratchDir("batch-run");
cpSync(path.join(FIXTURES, "partial"), path.join(copy, "partial"), { recursive: true });
const exercise = loadExercise(path.join(copy, "partial"));

/** A copy of the code under test whose `add` returns `body`'s value. */
function codeUnderTest(name: string, body: string): string {
  const dir = path.join(copy, "sources", name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, "math.ts"),
    `export function add(a: number, b: number): number {\n  return ${body};\n}\n`,
  );
  return dir;
}

/** Each file the run reported, with its tests' statuses: `basics.test.ts: failed, pending`. */
function files(run: JestRun): string[] {
  if (run.kind !== "finished") return [`${run.kind}: ${run.output.slice(-500)}`];
  return run.json.testResults.map(
    (file) =>
      `${path.basename(file.name)}: ${file.assertionResults.map((test) => test.status).join(", ")}`,
  );
}

describe("a batch of gradings in one Jest process", () => {
  it("reports each project apart, each stopped at its own first failing test, the others run on", async () => {
    const gradings = [
      ["always-zero", "0"],
      ["ignores-sign", "Math.abs(a) + Math.abs(b)"],
      ["right", "a + b"],
    ].map(([name, body]) => ({
      name: name!,
      plan: planRun(exercise, {
        sourceDir: codeUnderTest(name!, body!),
        hiddenDir: path.join(exercise.dir, ".meta", "hidden"),
        includeVisible: false,
        timeoutMs: 60_000,
        bail: true,
      }),
    }));
    const runs = await runJestBatch(gradings, {
      repoRoot: path.join(__dirname, "../../.."),
      env: { ...process.env, SANDBOX_QUIET: "1" },
    });
    expect(runs.map(files)).toEqual([
      // Its first failure ends the file (the rest skipped) and the project: negatives never starts.
      ["basics.test.ts: failed, pending"],
      ["basics.test.ts: passed, passed", "negatives.test.ts: failed, pending, pending"],
      ["basics.test.ts: passed, passed", "negatives.test.ts: passed, passed, passed"],
    ]);
    expect(runs.map((run) => run.kind === "finished" && run.exitCode)).toEqual([1, 1, 0]);
  });
});
