import { execFileSync, spawn } from "node:child_process";
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { parse } from "csv-parse/sync";
import { whySealingIsImpossible } from "@backend-sandbox/testkit/runner";
import { FIXTURES, sandbox, scratchDir } from "./run-sandbox";
import { commitWork, SLUG, studentRepo, WORK } from "./class-repos";
import { writeStubDigest } from "../src/exercise/stub-digest";
import { NOT_STARTED_REASON } from "../src/score/score";

// `sandbox grade-class` end to end: local git repositories stand in for the students, graded
// sealed by the real CLI on the fixture exercise `partial` (two stages, 10 + 20 points).
const DEADLINE = "2026-12-01T00:00:00Z";
const BEFORE = "2026-11-20T10:00:00Z";
const AFTER = "2026-12-02T10:00:00Z";
const root = scratchDir("class");
const env = { SANDBOX_STATE_DIR: path.join(root, "state") };
const rosterFile = path.join(root, "roster.csv");

type Row = Record<string, string>;
const readCsv = (dir: string): Row[] =>
  parse(readFileSync(path.join(dir, "grades.csv"), "utf8"), { columns: true }) as Row[];
const row = (rows: Row[], id: string) => rows.find((r) => r.roster_identifier === id)!;
const gradeClass = (out: string, ...extra: string[]) =>
  sandbox(
    [
      "grade-class",
      rosterFile,
      "--out",
      out,
      "--exercises",
      SLUG,
      "--deadline",
      DEADLINE,
      ...extra,
    ],
    env,
  );
/** The students a run graded (rather than kept, or failed to reach), from its progress lines. */
const gradedNow = (stderr: string) =>
  [...stderr.matchAll(/\] (s\d+)\b[^\n]*?: grading [0-9a-f]{10} \(committed/g)]
    .map((m) => m[1])
    .sort();

const sealing = whySealingIsImpossible();
if (sealing) console.warn(`grade-class tests skipped: ${sealing}`);

(sealing ? describe.skip : describe)("sandbox grade-class", () => {
  const full = path.join(root, "full");
  let first: { code: number; stderr: string };

  beforeAll(async () => {
    commitWork(studentRepo(path.join(root, "correct")), WORK.solution, BEFORE);
    commitWork(studentRepo(path.join(root, "stub")), WORK.stub, BEFORE);
    commitWork(studentRepo(path.join(root, "wrong")), WORK.wrong, BEFORE);
    studentRepo(path.join(root, "empty"));
    commitWork(studentRepo(path.join(root, "late")), WORK.solution, AFTER);
    const both = studentRepo(path.join(root, "both"));
    commitWork(both, WORK.solution, BEFORE);
    commitWork(both, WORK.wrong, AFTER);
    writeFileSync(
      rosterFile,
      [
        "student_id,name,repository",
        "s01,Ada Lovelace,correct",
        's02,"<script>alert(1)</script>",stub',
        's03,"=HYPERLINK(""http://x"")",wrong',
        "s04,Empty Repo,empty",
        "s05,Late Larry,late",
        "s06,Gone,https://127.0.0.1:9/nobody/nothing.git",
        "s07,No Repo,",
        "s08,Before And After,both",
        "",
      ].join("\n"),
    );
    first = await gradeClass(full, "--jobs", "2");
  }, 420_000);

  it("grades each repository at its last commit before the deadline, into GitHub Classroom's columns", () => {
    expect(first.code).toBe(0);
    const rows = readCsv(full);
    expect(Object.keys(rows[0]!).slice(0, 10)).toEqual([
      "assignment_name",
      "assignment_url",
      "starter_code_url",
      "github_username",
      "roster_identifier",
      "student_repository_name",
      "student_repository_url",
      "submission_timestamp",
      "points_awarded",
      "points_available",
    ]);
    expect(rows.map((r) => r.roster_identifier)).toEqual([
      "s01",
      "s02",
      "s03",
      "s04",
      "s05",
      "s06",
      "s07",
      "s08",
    ]);
    expect(row(rows, "s01")).toMatchObject({
      assignment_name: "roster",
      student_repository_name: "correct",
      submission_timestamp: "2026-11-20 10:00:00 UTC",
      points_awarded: "30",
      points_available: "30",
      status: "graded",
      [SLUG]: "30",
      [`${SLUG}/basics`]: "10",
      [`${SLUG}/negatives`]: "20",
    });
    expect(row(rows, "s02")).toMatchObject({ points_awarded: "10", [`${SLUG}/negatives`]: "0" });
    expect(row(rows, "s03")).toMatchObject({ points_awarded: "0", status: "graded" });
    // The commit after the deadline (a wrong one) is not what was graded.
    expect(row(rows, "s08")).toMatchObject({ points_awarded: "30" });
  });

  it("records an empty, late, unreachable or missing repository as error with its reason, never as points", () => {
    const rows = readCsv(full);
    const reasons = {
      s04: /^the repository has no commits$/,
      s05: /^no commit at or before the deadline 2026-12-01T00:00:00.000Z \(its oldest commit is from 2026-12-02T10:00:00.000Z\)$/,
      // Nothing in it changes from run to run (curl's "after 3 ms" is left out), so shards merge.
      s06: /^git clone failed: (?!.* after \d+ ms).*127\.0\.0\.1.* \(tried twice\)$/,
      s07: /^the roster gives no repository$/,
    };
    for (const [id, reason] of Object.entries(reasons)) {
      expect(row(rows, id)).toMatchObject({ status: "error", points_awarded: "", [SLUG]: "" });
      expect(row(rows, id).reason).toMatch(reason);
    }
  });

  it("writes per-student JSON and HTML feedback, and a self-contained summary with escaped roster text", () => {
    const s01 = JSON.parse(readFileSync(path.join(full, "students", "s01.json"), "utf8"));
    expect(s01).toMatchObject({ studentId: "s01", status: "graded", exercises: [SLUG] });
    expect(s01.report).toMatchObject({ mode: "submission", score: 30, maxScore: 30 });
    expect(readdirSync(path.join(full, "students")).sort()).toEqual(
      ["s01", "s02", "s03", "s04", "s05", "s06", "s07", "s08"].flatMap((id) => [
        `${id}.html`,
        `${id}.json`,
      ]),
    );
    expect(readFileSync(path.join(full, "students", "s04.html"), "utf8")).toMatch(
      /Not graded[\s\S]*the repository has no commits/,
    );
    const summary = readFileSync(path.join(full, "summary.html"), "utf8");
    expect(summary).toMatch(/<svg[\s\S]*<\/svg>/); // the histogram, inline
    expect(summary).toMatch(/partial › negatives<\/td><td class="num">2 of 4<\/td>/);
    expect(summary).not.toMatch(/<script|src="http|href="http|url\(/);
    expect(summary).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    // A spreadsheet would run a cell starting with "=".
    expect(row(readCsv(full), "s03").student_name).toBe(`'=HYPERLINK("http://x")`);
  });

  it("joins shards 1/2 and 2/2 with `sandbox merge` into the grades.csv and summary of the full run", async () => {
    const shards = [path.join(root, "shard-1"), path.join(root, "shard-2")];
    const one = await gradeClass(shards[0]!, "--shard", "1/2", "--jobs", "2");
    const two = await gradeClass(shards[1]!, "--shard", "2/2", "--jobs", "2");
    expect([one.code, two.code]).toEqual([0, 0]);
    expect(readCsv(shards[0]!).map((r) => r.roster_identifier)).toEqual([
      "s01",
      "s03",
      "s05",
      "s07",
    ]);
    const merged = path.join(root, "merged");
    const merge = await sandbox(["merge", ...shards, "--out", merged], env);
    expect(merge.code).toBe(0);
    for (const file of ["grades.csv", "summary.html"])
      expect(readFileSync(path.join(merged, file), "utf8")).toBe(
        readFileSync(path.join(full, file), "utf8"),
      );
    const twice = await sandbox(
      ["merge", shards[0]!, shards[0]!, "--out", path.join(root, "m2")],
      env,
    );
    expect(twice.code).toBe(2);
    expect(twice.stderr).toMatch(/shard 1\/2 is given twice/);
  }, 420_000);

  it("grades nothing on a rerun, and only the student with a new commit before the deadline", async () => {
    const again = await gradeClass(full);
    expect(again.code).toBe(0);
    expect(gradedNow(again.stderr)).toEqual([]);
    expect(again.stderr).toMatch(/0 graded now, 4 kept from before, 4 in error/);

    commitWork(path.join(root, "stub"), WORK.solution, "2026-11-30T23:59:00Z");
    commitWork(path.join(root, "wrong"), WORK.solution, AFTER); // after: no change for s03
    const next = await gradeClass(full);
    expect(gradedNow(next.stderr)).toEqual(["s02"]);
    expect(row(readCsv(full), "s02")).toMatchObject({
      points_awarded: "30",
      submission_timestamp: "2026-11-30 23:59:00 UTC",
    });
    expect(row(readCsv(full), "s03").points_awarded).toBe("0");
  }, 300_000);

  it("grades everyone again with --regrade", async () => {
    // Shard 1/2's folder: its two students with a commit, both stored and current.
    const shard = path.join(root, "shard-1");
    const all = await gradeClass(shard, "--shard", "1/2", "--regrade", "--jobs", "2");
    expect(all.code).toBe(0);
    expect(gradedNow(all.stderr)).toEqual(["s01", "s03"]);
  }, 300_000);

  it("keeps every student finished before Ctrl-C, and grades only the others on the next run", async () => {
    const out = path.join(root, "interrupted");
    const child = spawn(
      process.execPath,
      [
        path.join(__dirname, "..", "bin", "sandbox.js"),
        ...["grade-class", rosterFile, "--out", out, "--exercises", SLUG, "--deadline", DEADLINE],
        ...["--jobs", "1"],
      ],
      { env: { ...process.env, SANDBOX_EXERCISES_DIR: FIXTURES, CI: "1", ...env } },
    );
    let stderr = "";
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    await new Promise<void>((resolve) =>
      child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
        if (/\] s01 [^\n]*: graded /.test(stderr)) resolve();
      }),
    );
    // The whole class, so that work is left after s01 when Ctrl-C arrives: with a roster of two
    // the run once ended first on a loaded machine (CI of 2b76850).
    child.kill("SIGINT");
    expect(await exited).toBe(130);
    const kept = readdirSync(path.join(out, "students")).filter((f) => f.endsWith(".json"));
    expect(kept).toContain("s01.json");
    expect(kept.length).toBeLessThan(8);
    for (const file of kept) JSON.parse(readFileSync(path.join(out, "students", file), "utf8"));
    expect(readdirSync(path.join(out, "students")).filter((f) => /\.\d+$/.test(f))).toEqual([]);

    const rest = await gradeClass(out, "--jobs", "2");
    expect(rest.code).toBe(0);
    expect(rest.stderr).toMatch(/\] s01 Ada Lovelace: kept /);
    expect(gradedNow(rest.stderr)).not.toContain("s01");
  }, 300_000);

  it("stops before grading anyone when a reference solution does not score the maximum", async () => {
    const exercises = scratchDir("class-canary");
    cpSync(path.join(FIXTURES, SLUG), path.join(exercises, SLUG), { recursive: true });
    writeFileSync(path.join(exercises, SLUG, ".meta", "solution", "math.ts"), WORK.stub);
    const out = path.join(root, "canary");
    const run = await sandbox(["grade-class", rosterFile, "--out", out, "--exercises", SLUG], {
      ...env,
      SANDBOX_EXERCISES_DIR: exercises,
    });
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(
      /stopped before grading anyone: the reference solution of ✗ partial: failed, 10\/30 points.*not the students' work; nothing was recorded/,
    );
    expect(existsSync(path.join(out, "students"))).toBe(false);
  }, 180_000);
});

(sealing ? describe.skip : describe)("a machine failure while grading a class", () => {
  it("is tried once more, then the student's error with its reason, never points; the next run grades them", async () => {
    // A redis-server that starts once, for the canary's services, then fails: every later start
    // (the spare started for the next grading, the retry's) finds no Redis. Counting starts
    // rather than students keeps it independent of when the spares start.
    const dir = path.join(scratchDir("dead-redis"), "bin");
    mkdirSync(dir);
    chmodSync(path.dirname(dir), 0o755);
    chmodSync(dir, 0o777); // the servers run as nobody when the tests run as root
    const counter = path.join(dir, "starts");
    writeFileSync(counter, "0");
    chmodSync(counter, 0o666);
    const real = execFileSync("sh", ["-c", "command -v redis-server"], { encoding: "utf8" }).trim();
    const fake = path.join(dir, "redis-server");
    writeFileSync(
      fake,
      `#!/bin/sh\nn=$(cat ${counter}); echo $((n + 1)) > ${counter}\n[ "$n" -lt 1 ] || exit 1\nexec ${real} "$@"\n`,
    );
    chmodSync(fake, 0o755);
    const solution = readFileSync(
      path.join(FIXTURES, "with-redis", ".meta", "solution", "counter.ts"),
      "utf8",
    );
    const where = { slug: "with-redis", file: "counter.ts" };
    commitWork(studentRepo(path.join(dir, "..", "b")), solution, BEFORE, where);
    const roster = path.join(dir, "..", "roster.csv");
    writeFileSync(roster, "student_id,name,repository\ns2,B,b\n");
    const out = path.join(dir, "..", "out");
    const args = ["grade-class", roster, "--out", out, "--exercises", "with-redis", "--jobs", "1"];
    const services = {
      SANDBOX_SERVICES: "native",
      SANDBOX_PROVIDER: "",
      SANDBOX_REDIS_URL: "",
      SANDBOX_DATABASE_URL: "",
    };

    const broken = await sandbox(args, { ...env, ...services, SANDBOX_REDIS_SERVER: fake });
    expect(broken.code).toBe(0);
    const rows = readCsv(out);
    expect(row(rows, "s2")).toMatchObject({
      status: "error",
      points_awarded: "",
      "with-redis": "",
    });
    expect(row(rows, "s2").reason).toMatch(
      /^with-redis: Redis and Postgres could not start: .* \(tried twice\)$/,
    );

    const mended = await sandbox(args, { ...env, ...services });
    expect(gradedNow(mended.stderr)).toEqual(["s2"]);
    expect(row(readCsv(out), "s2")).toMatchObject({ status: "graded", points_awarded: "10" });
  }, 600_000);
});

(sealing ? describe.skip : describe)("an exercise a student left as shipped", () => {
  it("scores 0 as not started without a run; a byte changed, it is graded", async () => {
    // partial's own stub scores 10, which verify would refuse of a shipped stub: here the stub is
    // the wrong work (0 points), with its digest in exercise.json, as `sandbox format` writes it.
    const exercises = scratchDir("class-stub");
    cpSync(path.join(FIXTURES, SLUG), path.join(exercises, SLUG), { recursive: true });
    writeFileSync(path.join(exercises, SLUG, "src", "math.ts"), WORK.wrong);
    writeStubDigest(path.join(exercises, SLUG));
    const dir = scratchDir("class-stub-students");
    commitWork(studentRepo(path.join(dir, "untouched")), WORK.wrong, BEFORE);
    commitWork(studentRepo(path.join(dir, "edited")), `${WORK.wrong}\n`, BEFORE);
    const roster = path.join(dir, "roster.csv");
    writeFileSync(roster, "student_id,name,repository\ns1,U,untouched\ns2,E,edited\n");
    const out = path.join(dir, "out");
    const run = await sandbox(["grade-class", roster, "--out", out, "--exercises", SLUG], {
      ...env,
      SANDBOX_EXERCISES_DIR: exercises,
    });
    expect(run.code).toBe(0);
    expect(gradedNow(run.stderr)).toEqual(["s2"]);
    const rows = readCsv(out);
    expect(row(rows, "s1")).toMatchObject({ status: "graded", points_awarded: "0", [SLUG]: "0" });
    expect(row(rows, "s2")).toMatchObject({ status: "graded", points_awarded: "0", [SLUG]: "0" });
    const exerciseOf = (id: string) =>
      JSON.parse(readFileSync(path.join(out, "students", `${id}.json`), "utf8")).report
        .exercises[0];
    expect(exerciseOf("s1")).toMatchObject({
      status: "not-started",
      reason: NOT_STARTED_REASON,
      durationMs: 0,
    });
    expect(exerciseOf("s2")).toMatchObject({ status: "failed" });
  }, 180_000);
});

describe("grade-class refuses a bad roster with exit 2, naming the line", () => {
  const write = (text: string) => {
    const file = path.join(scratchDir("roster"), "roster.csv");
    writeFileSync(file, text);
    return file;
  };
  const run = (file: string) =>
    sandbox(["grade-class", file, "--out", scratchDir("out"), "--exercises", SLUG], env);

  it("a duplicate student id", async () => {
    const result = await run(write("student_id,name,repository\na1,A,x\nb2,B,y\nA1,C,z\n"));
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(
      'sandbox: roster.csv line 4: student_id "A1" is already on line 2 (ids are compared ignoring case)',
    );
  });

  it("a row with a column too many, an unclosed quote, a missing column, a bad id", async () => {
    const extra = await run(write("student_id,name,repository\na1,A,x\nb2,B,y,z\n"));
    expect(extra.code).toBe(2);
    expect(extra.stderr).toMatch(/^sandbox: roster\.csv line 3: not valid CSV/);
    const quote = await run(write('student_id,name,repository\na1,"A,x\n'));
    expect(quote.code).toBe(2);
    expect(quote.stderr).toMatch(/^sandbox: roster\.csv line \d: not valid CSV .*quote/i);
    const header = await run(write("id,name,repository\na1,A,x\n"));
    expect(header.stderr).toMatch(/roster\.csv line 1: the header lacks student_id/);
    const id = await run(write("student_id,name,repository\n../x,A,x\n"));
    expect(id.stderr).toMatch(/roster\.csv line 2: student_id "\.\.\/x" must be/);
  });

  it("has --help listing its options", async () => {
    const help = await sandbox(["grade-class", "--help"]);
    expect(help.code).toBe(0);
    for (const option of ["--out", "--deadline", "--exercises", "--jobs", "--shard", "--regrade"])
      expect(help.stdout).toContain(option);
  });

  it("a deadline without its time zone", async () => {
    const result = await sandbox(
      [
        "grade-class",
        write("student_id,name,repository\n"),
        "--out",
        scratchDir("o"),
        "--deadline",
        "2026-12-01 23:59",
      ],
      env,
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--deadline wants an ISO 8601 date and time with its zone/);
  });
});
