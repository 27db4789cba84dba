// `npm run bench:class`: what grading a class costs, and what --jobs buys. Makes N local student
// repositories (forks of this checkout's exercises: a mix of reference solutions, stubs and wrong
// solutions, one commit each before the deadline), then grades the roster with
// `sandbox grade-class --jobs 1` and `--jobs N` side by side (fresh output folders, so nothing is
// kept from before). Prints a Markdown table: wall time, the canary's part, seconds per submission
// and per grading (one exercise of one submission), and the projection for 20 students of all six
// exercises. Every reference solution must score the maximum (the canary), or the bench stops.
// Usage: node scripts/bench-grade-class.mjs [--students 4] [--exercises a,b] [--jobs 1,2]
import { execFileSync, spawn } from "node:child_process";
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
  readdirSync,
} from "node:fs";
import { tmpdir, availableParallelism } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    students: { type: "string", default: "4" },
    exercises: { type: "string", default: "api-design,third-party-integration" },
    // The --jobs of each run, side by side; the first is the one the others are compared with.
    jobs: { type: "string", default: `1,${Math.max(2, availableParallelism())}` },
  },
});
const root = join(import.meta.dirname, "..");
const slugs = values.exercises.split(",");
const students = Number(values.students);
const scratch = mkdtempSync(join(tmpdir(), "bench-class-"));
const DATE = "2026-11-20T10:00:00Z";
const KINDS = ["solution", "stub", "wrong"];

/** Student i's repository: per exercise, the solution, the stub or a wrong solution (by turns). */
function studentRepo(i) {
  const repo = join(scratch, `student-${i}`);
  mkdirSync(repo, { recursive: true });
  git(repo, "init", "--quiet");
  slugs.forEach((slug, j) => {
    const exercise = join(root, "exercises", slug);
    const src = join(repo, "exercises", slug, "src");
    const kind = KINDS[(i + j) % KINDS.length];
    cpSync(join(exercise, kind === "stub" ? "src" : ".meta/solution"), src, { recursive: true });
    if (kind === "wrong") {
      const dir = join(exercise, ".meta/wrong-solutions");
      const patch = readdirSync(dir).sort()[i % readdirSync(dir).length];
      // A patch opens with why it is wrong; git apply wants the diff alone.
      const text = readFileSync(join(dir, patch), "utf8");
      writeFileSync(join(scratch, "p.diff"), text.slice(text.indexOf("\n--- ") + 1));
      git(repo, "apply", `--directory=exercises/${slug}/src`, join(scratch, "p.diff"));
    }
  });
  git(repo, "add", "-A");
  execFileSync(
    "git",
    ["-C", repo, "-c", "user.name=s", "-c", "user.email=s@x", "commit", "-qm", "work"],
    {
      env: { ...process.env, GIT_AUTHOR_DATE: DATE, GIT_COMMITTER_DATE: DATE },
    },
  );
  return repo;
}

function git(repo, ...args) {
  return execFileSync("git", ["-C", repo, ...args], { encoding: "utf8" });
}

/** One grade-class run: wall seconds, and seconds until the canary was done. */
function gradeClass(jobs) {
  const out = join(scratch, `out-${jobs}`);
  const args = [
    join(root, "packages/grader/bin/sandbox.js"),
    "grade-class",
    join(scratch, "roster.csv"),
  ];
  args.push("--out", out, "--exercises", slugs.join(","), "--deadline", "2026-12-01T00:00:00Z");
  args.push("--jobs", String(jobs));
  const started = performance.now();
  let canaryDone;
  let stderr = "";
  const child = spawn(process.execPath, args, { cwd: root });
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
    if (canaryDone === undefined && /^\[\d+\/\d+\]/m.test(stderr)) canaryDone = performance.now();
  });
  return new Promise((resolve, reject) =>
    child.on("exit", (code) => {
      const seconds = (performance.now() - started) / 1000;
      if (code !== 0)
        return reject(new Error(`grade-class --jobs ${jobs} exited ${code}:\n${stderr}`));
      const rows = readFileSync(join(out, "grades.csv"), "utf8").trim().split("\n").slice(1);
      const errors = rows.filter((r) => r.includes(",error,"));
      if (errors.length) return reject(new Error(`students in error:\n${errors.join("\n")}`));
      resolve({ seconds, canary: ((canaryDone ?? performance.now()) - started) / 1000 });
    }),
  );
}

writeFileSync(
  join(scratch, "roster.csv"),
  [
    "student_id,name,repository",
    ...Array.from({ length: students }, (_, i) => `s${i + 1},Student ${i + 1},${studentRepo(i)}`),
  ].join("\n") + "\n",
);
const jobs = values.jobs.split(",").map(Number);
const results = [];
try {
  for (const n of jobs) results.push({ n, ...(await gradeClass(n)) });
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

const gradings = students * slugs.length;
console.log(
  `| --jobs | wall | canary (${slugs.length} solutions) | per submission | per grading | 20 students × 6 exercises (projected) |`,
);
console.log("| ---: | ---: | ---: | ---: | ---: | ---: |");
for (const { n, seconds, canary } of results) {
  const perGrading = (seconds - canary) / gradings;
  // The canary grades six solutions; then 120 gradings at the rate measured here.
  const projected = (canary / slugs.length) * 6 + perGrading * 120;
  console.log(
    `| ${n} | ${seconds.toFixed(1)} s | ${canary.toFixed(1)} s | ${((seconds - canary) / students).toFixed(1)} s | ${perGrading.toFixed(1)} s | ${(projected / 60).toFixed(1)} min |`,
  );
}
const speedups = results
  .slice(1)
  .map(
    (r) =>
      `--jobs ${r.n} is ${(results[0].seconds / r.seconds).toFixed(2)}× as fast as --jobs ${results[0].n}`,
  );
console.log(
  `\n${students} students × ${slugs.length} exercises (${slugs.join(", ")}), ${gradings} gradings per run; ${speedups.map((line) => `${line}; `).join("")}Node ${process.version}; SANDBOX_SERVICES=${process.env.SANDBOX_SERVICES ?? "auto"}. The projection assumes these exercises' mean cost; the six differ (docs/performance.md).`,
);
