import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { GradeReport } from "../src/index";
import { FIXTURES, sandbox, scratchDir } from "./run-sandbox";

const state = scratchDir("modes-state");
const read = (file: string): GradeReport => JSON.parse(readFileSync(file, "utf8"));
const write = (file: string, text: string) => {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
};

describe("--solution and --shard, then merge", () => {
  const out = scratchDir("shards");
  it("grades the reference solutions shard by shard, and merge joins the shards", async () => {
    const [one, two] = await Promise.all(
      ["1/2", "2/2"].map((shard, i) =>
        sandbox(
          [
            "grade",
            "partial",
            "passing",
            "--solution",
            "--shard",
            shard,
            "--json",
            path.join(out, `${i + 1}.json`),
          ],
          { SANDBOX_STATE_DIR: state },
        ),
      ),
    );
    expect([one!.code, two!.code]).toEqual([0, 0]);
    const first = read(path.join(out, "1.json"));
    expect(first).toMatchObject({
      mode: "solution",
      shard: { index: 1, count: 2 },
      score: 30,
      maxScore: 30,
    });
    expect(read(path.join(out, "2.json")).exercises.map((e) => e.slug)).toEqual(["passing"]);
    // --solution leaves src/ alone and does not count as the learner's last grade
    expect(existsSync(path.join(state, "last-grade.json"))).toBe(false);

    const merged = await sandbox([
      "merge",
      path.join(out, "2.json"),
      path.join(out, "1.json"),
      "--json",
      path.join(out, "all.json"),
      "--min-score",
      "100",
    ]);
    expect(merged.code).toBe(0);
    const all = read(path.join(out, "all.json"));
    expect(all).toMatchObject({ schemaVersion: 1, score: 40, maxScore: 40 });
    expect(all.exercises.map((e) => e.slug)).toEqual(["partial", "passing"]);
    expect(merged.stdout).toMatch(/total\s+40 \/ 40 \(100%\)/);
  });
});

describe("--submission", () => {
  it("takes only src/ from the submission: edited tests there change nothing, a syntax error fails every test", async () => {
    const submission = scratchDir("submission");
    // partial: a correct src/ plus a "test" that would pass anything; passing: does not compile
    write(
      path.join(submission, "exercises/partial/src/math.ts"),
      "export function add(a: number, b: number): number {\n  return a + b;\n}\n",
    );
    write(
      path.join(submission, "exercises/partial/test/negatives.test.ts"),
      'it("always passes", () => {});\n',
    );
    write(path.join(submission, "exercises/partial/.meta/exercise.json"), "{}");
    write(
      path.join(submission, "exercises/passing/src/math.ts"),
      "export function add(a: number, b: number): number {\n  return a + ;\n}\n",
    );
    const out = path.join(scratchDir("submission-out"), "r.json");
    const run = await sandbox(
      ["grade", "partial", "passing", "with-redis", "--submission", submission, "--json", out],
      { SANDBOX_STATE_DIR: state },
    );
    expect(run.code).toBe(0);
    const [partial, passing, redis] = read(out).exercises;
    expect(partial).toMatchObject({ status: "passed", score: 30 });
    expect(partial!.stages[1]!.tests.map((t) => t.name)).not.toContain("always passes");
    // The code under test loads in its own process: its syntax error fails each test, saying so.
    expect(passing).toMatchObject({ status: "failed", score: 0 });
    for (const test of passing!.stages.flatMap((s) => s.tests))
      expect(test.message).toMatch(/math\.ts.*(Unexpected|Expected|error)/is);
    expect(redis).toMatchObject({
      status: "error",
      reason: "the submission has no exercises/with-redis/src folder",
    });
    // the copies are gone afterwards (other runs in this checkout may have their own work folders)
    const work = path.resolve(__dirname, "../../../.sandbox/work");
    const left = existsSync(work)
      ? readdirSync(work).flatMap((run) =>
          readdirSync(path.join(work, run)).filter((slug) => ["partial", "passing"].includes(slug)),
        )
      : [];
    expect(left).toEqual([]);
  });
});

describe("--hidden-dir", () => {
  it("takes hidden tests from <dir>/<slug>/ outside the repository", async () => {
    const hidden = scratchDir("hidden");
    write(
      path.join(hidden, "passing/basics.extra.test.ts"),
      'import { useLearner } from "@backend-sandbox/testkit";\nimport type * as Subject from "#src/math";\n\nconst { add } = useLearner().module<typeof Subject>("math");\n\nit("adds large numbers", async () => expect(await add(1e6, 1)).toBe(1000001));\nit("is wrong on purpose", async () => expect(await add(1, 1)).toBe(3));\n',
    );
    const out = path.join(scratchDir("hidden-out"), "r.json");
    const run = await sandbox(["grade", "passing", "--hidden-dir", hidden, "--json", out], {
      SANDBOX_STATE_DIR: state,
    });
    expect(run.code).toBe(0);
    const [passing] = read(out).exercises;
    expect(passing!.stages[0]).toMatchObject({ passed: 2, total: 3, score: 6.67 });
    const failed = passing!.stages[0]!.tests.find((t) => t.status === "failed")!;
    expect(failed).toMatchObject({
      visibility: "hidden",
      file: "hidden/basics.extra.test.ts",
      name: "is wrong on purpose",
    });
    expect(failed.message).not.toContain(hidden);
  });
});

describe("grade in an exercise folder", () => {
  it("grades the exercise it is run in", async () => {
    const run = await sandbox(
      ["grade"],
      { SANDBOX_STATE_DIR: state },
      path.join(FIXTURES, "passing", "src"),
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/passing\s+basics\s+3 \/ 3/);
    expect(run.stdout).not.toMatch(/partial/);
  });
});
