import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { whySealingIsImpossible } from "@backend-sandbox/testkit/runner";
import type { GradeReport } from "../src/index";
import { sandbox, scratchDir } from "./run-sandbox";

// Issue 14's attacks from inside the code under test, graded end to end by the real CLI: the
// fixtures in test/fixtures/sealed are a hostile submission (forger), one that wrecks its Redis
// (saboteur), and a correct one graded after it (honest).
const FIXTURES = path.join(__dirname, "fixtures", "sealed");
const REPOSITORY = path.resolve(__dirname, "../../..");
const LEFTOVER = "sealed-fixture-leftover";
// Services of the grade's own: the saboteur must not reach this test run's.
const OWN_SERVICES = { SANDBOX_PROVIDER: "", SANDBOX_REDIS_URL: "", SANDBOX_DATABASE_URL: "" };

/** SHA-256 of every file under the testkit's and the grader's src/ and of the fixtures. */
function checkoutHash(): string {
  const hash = createHash("sha256");
  for (const dir of [
    "packages/testkit/src",
    "packages/grader/src",
    "packages/grader/test/fixtures/sealed",
  ])
    for (const entry of readdirSync(path.join(REPOSITORY, dir), {
      recursive: true,
      withFileTypes: true,
    }))
      if (entry.isFile()) hash.update(readFileSync(path.join(entry.parentPath, entry.name)));
  return hash.digest("hex");
}

function leftovers(): string[] {
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .flatMap((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, "latin1").startsWith(LEFTOVER) ? [pid] : [];
      } catch {
        return [];
      }
    });
}

async function grade(
  extra: string[],
): Promise<{ report: GradeReport; markdown: string; code: number }> {
  const out = scratchDir("sealed");
  const run = await sandbox(
    ["grade", ...extra, "--json", path.join(out, "r.json"), "--markdown", path.join(out, "r.md")],
    // A state folder of its own: the learner's grades of the checkout are not the fixtures' to write.
    { SANDBOX_EXERCISES_DIR: FIXTURES, SANDBOX_STATE_DIR: out, ...OWN_SERVICES },
  );
  return {
    report: JSON.parse(readFileSync(path.join(out, "r.json"), "utf8")),
    markdown: readFileSync(path.join(out, "r.md"), "utf8"),
    code: run.code,
  };
}

const sealing = whySealingIsImpossible();
if (sealing) console.warn(`sealed grading tests skipped: ${sealing}`);

(sealing ? describe.skip : describe)("a sealed grade of hostile submissions", () => {
  let report: GradeReport;
  let markdown: string;
  let before: string;
  const exercise = (slug: string) => report.exercises.find((e) => e.slug === slug)!;

  beforeAll(async () => {
    before = checkoutHash();
    ({ report, markdown } = await grade(["--sealed"]));
  }, 480_000);

  it("[kinds 1, 2, 4] scores the forger 0: from its process there was nothing to forge, stop or read", () => {
    expect(exercise("forger")).toMatchObject({ status: "failed", score: 0 });
    const visible = exercise("forger").stages[0]!.tests.find((t) => t.visibility === "visible")!;
    // Its attacks found nothing, so it answered 41 instead of throwing what it found.
    expect(visible.message).toMatch(/Expected: 42[\s\S]*Received: 41/);
  });

  it("[kinds 7, 8] puts no text of a hidden test in any report", () => {
    expect(JSON.stringify(report)).not.toContain("HIDDEN-CANARY");
    expect(markdown).not.toContain("HIDDEN-CANARY");
  });

  it("[kind 5] leaves the checkout as it was", () => {
    expect(checkoutHash()).toBe(before);
  });

  it("[kind 3] leaves no process of the submission running", () => {
    expect(leftovers()).toEqual([]);
  });

  it("[kind 6] lets the saboteur wreck only its own services: the exercise graded next scores in full", () => {
    expect(exercise("saboteur").score).toBe(0);
    expect(exercise("honest")).toMatchObject({ status: "passed", score: 10 });
  });
});

describe("an unsealed grade after a saboteur", () => {
  it("[kind 6] makes the sabotaged exercise an error, not a grade, and grades the next one on fresh services", async () => {
    const { report } = await grade(["saboteur", "honest"]);
    const saboteur = report.exercises.find((e) => e.slug === "saboteur")!;
    expect(saboteur).toMatchObject({ status: "error", score: 0 });
    expect(saboteur.reason).toMatch(/Redis stopped answering/);
    expect(report.exercises.find((e) => e.slug === "honest")).toMatchObject({
      status: "passed",
      score: 10,
    });
  }, 480_000);
});
