import { appendFileSync, cpSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { XMLParser } from "fast-xml-parser";
import { loadExercise, type GradeReport } from "../src/index";
import {
  isShippedStub,
  isShippedStubIn,
  srcDigest,
  writeStubDigest,
} from "../src/exercise/stub-digest";
import { FIXTURES, sandbox, scratchDir } from "./run-sandbox";

/** Copies of two fixture exercises, each exercise.json given its src/'s digest as `sandbox format` does. */
function shippedCopies(): string {
  const exercises = scratchDir("not-started");
  for (const slug of ["partial", "with-redis"]) {
    cpSync(path.join(FIXTURES, slug), path.join(exercises, slug), { recursive: true });
    expect(writeStubDigest(path.join(exercises, slug))).toBe(true);
  }
  return exercises;
}

describe("a learner's grade of an exercise whose src/ is as shipped", () => {
  it("says it is not started and runs none of its tests; one changed byte grades it; CI grades all", async () => {
    const exercises = shippedCopies();
    const out = scratchDir("not-started-reports");
    const env = {
      SANDBOX_EXERCISES_DIR: exercises,
      SANDBOX_STATE_DIR: scratchDir("not-started-state"),
      SANDBOX_WARM_DIR: scratchDir("not-started-warm"),
      CI: "",
    };
    const reports = ["--json", path.join(out, "r.json"), "--junit", path.join(out, "r.xml")];
    const fresh = await sandbox(["grade", ...reports], env);
    expect(fresh.code).toBe(0);
    expect(fresh.stdout).toMatch(/^partial \(not started\) +all 2 stages +- +0 \/ 30$/m);
    expect(fresh.stdout).toMatch(/^with-redis \(not started\) +counter +- +0 \/ 10$/m);
    expect(fresh.stdout).toMatch(
      /^Not started \(src\/ as shipped, so their tests did not run\): partial, with-redis\. Begin with `npx sandbox test partial`: the visible tests of its first stage, basics\.$/m,
    );
    // No Jest ran, and no services were started for it.
    expect(fresh.stderr).not.toMatch(/grading |started warm/);
    expect((await sandbox(["list"], env)).stdout).toMatch(/^partial .* not started$/m);
    const report = JSON.parse(readFileSync(path.join(out, "r.json"), "utf8")) as GradeReport;
    expect(report.exercises.map((e) => [e.slug, e.status, e.score, e.durationMs])).toEqual([
      ["partial", "not-started", 0, 0],
      ["with-redis", "not-started", 0, 0],
    ]);
    expect(report.exercises[0]!.reason).toBe(
      "src/ is the stub as shipped, so its tests were not run",
    );
    const junit = new XMLParser({ ignoreAttributes: false }).parse(
      readFileSync(path.join(out, "r.xml"), "utf8"),
    );
    expect(junit.testsuites).toMatchObject({ "@_skipped": "2", "@_errors": "0" });
    expect(junit.testsuites.testsuite[0].testcase.skipped["@_message"]).toMatch(
      /^src\/ is the stub/,
    );

    // Hidden tests of another's (--hidden-dir) were never run against the stub: they run.
    const hidden = scratchDir("not-started-hidden");
    cpSync(path.join(exercises, "partial/.meta/hidden"), path.join(hidden, "partial"), {
      recursive: true,
    });
    const elsewhere = await sandbox(["grade", "partial", "--hidden-dir", hidden], env);
    expect(elsewhere.stdout).toMatch(/^partial +basics +3 \/ 3 +10 \/ 10$/m);

    // A trailing newline is a change: the learner's src/ is graded, the other still not started.
    appendFileSync(path.join(exercises, "partial/src/math.ts"), "\n");
    const started = await sandbox(["grade"], env);
    expect(started.stdout).toMatch(/^partial +basics +3 \/ 3 +10 \/ 10$/m);
    expect(started.stdout).toMatch(/^with-redis \(not started\)/m);

    // CI grades what it is given, as shipped or not (this fixture ships a src/ that passes).
    const inCi = await sandbox(["grade", "with-redis"], { ...env, CI: "1" });
    expect(inCi.stdout).toMatch(/^with-redis +counter +2 \/ 2 +10 \/ 10$/m);
  });
});

describe("exercise.json's stubDigest", () => {
  it("is written by sandbox format's writer without touching the rest, and checked by verify", async () => {
    const exercises = shippedCopies();
    const dir = path.join(exercises, "partial");
    const manifest = path.join(dir, ".meta/exercise.json");
    const written = readFileSync(manifest, "utf8");
    const original = readFileSync(path.join(FIXTURES, "partial/.meta/exercise.json"), "utf8");
    expect(written.replace(/ {2}"stubDigest": "sha256:[0-9a-f]{64}",\n/, "")).toBe(original);
    expect(loadExercise(dir).manifest.stubDigest).toBe(srcDigest(loadExercise(dir)));
    expect(writeStubDigest(dir)).toBe(false);
    // A Windows checkout (core.autocrlf) of the stub is the stub; one more line is not.
    const math = path.join(dir, "src/math.ts");
    writeFileSync(math, readFileSync(math, "utf8").replace(/\n/g, "\r\n"));
    expect(isShippedStub(loadExercise(dir))).toBe(true);
    appendFileSync(math, "\r\n");
    expect(isShippedStub(loadExercise(dir))).toBe(false);
    writeFileSync(math, readFileSync(path.join(FIXTURES, "partial/src/math.ts")));

    const check = () =>
      sandbox(["verify", "partial", "--static"], { SANDBOX_EXERCISES_DIR: exercises });
    // verify --static names only the checks that fail.
    expect((await check()).stdout).not.toMatch(/stubDigest/);
    writeFileSync(path.join(dir, "src/extra.ts"), "export {};\n");
    const drifted = await check();
    expect(drifted.stdout).toMatch(
      /✗ exercise\.json's stubDigest is the digest of src\/: src\/ is sha256:[0-9a-f]{64} now: `npx sandbox format --stub-digest \/tmp\/\S+\/partial` writes it/,
    );
    // `sandbox format` leaves it (a learner may format their work); --stub-digest rewrites it.
    const format = (...extra: string[]) =>
      sandbox(["format", dir, ...extra], { SANDBOX_EXERCISES_DIR: exercises });
    expect((await format()).stdout).not.toMatch(/stubDigest/);
    expect((await check()).stdout).toMatch(/stubDigest is the digest of src/);
    expect((await format("--stub-digest")).stdout).toMatch(
      /stubDigest written in 1 exercise\.json/,
    );
    expect((await check()).stdout).not.toMatch(/stubDigest/);
  });
});

describe("a submission's copy of an exercise as shipped (grade-class)", () => {
  it("is the stub only with the stub's bytes, in plain files, within the limits read", () => {
    const exercise = loadExercise(path.join(shippedCopies(), "partial"));
    const copy = path.join(scratchDir("submitted"), "exercises", "partial");
    cpSync(path.join(exercise.dir, "src"), path.join(copy, "src"), { recursive: true });
    expect(isShippedStubIn(exercise, copy)).toBe(true);
    const math = path.join(copy, "src/math.ts");
    const stub = readFileSync(math);
    appendFileSync(math, " ");
    expect(isShippedStubIn(exercise, copy)).toBe(false);
    writeFileSync(math, stub);
    // Anything but plain files and folders is someone's work, even beside the stub's files.
    symlinkSync("math.ts", path.join(copy, "src/link.ts"));
    expect(isShippedStubIn(exercise, copy)).toBe(false);
    rmSync(path.join(copy, "src/link.ts"));
    // A src/ over the limits is graded.
    writeFileSync(path.join(copy, "src/big.bin"), Buffer.alloc(2 * 1024 * 1024));
    expect(isShippedStubIn(exercise, copy)).toBe(false);
    rmSync(path.join(copy, "src"), { recursive: true });
    expect(isShippedStubIn(exercise, copy)).toBe(false);
    // Without a stubDigest in exercise.json nothing is the stub.
    const unshipped = loadExercise(path.join(FIXTURES, "partial"));
    cpSync(path.join(FIXTURES, "partial/src"), path.join(copy, "src"), { recursive: true });
    expect(isShippedStubIn(unshipped, copy)).toBe(false);
  });
});
