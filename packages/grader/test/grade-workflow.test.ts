// The grade workflow's guarantees (docs/grading.md, "The grade workflow"), read from its text:
// a reviewer changing it sees here which lines matter and why.
import { readFileSync } from "node:fs";
import path from "node:path";

const workflow = readFileSync(
  path.resolve(__dirname, "../../../.github/workflows/grade.yml"),
  "utf8",
);
const uncommented = workflow.replace(/^\s*#.*$/gm, "").replace(/\s+#.*$/gm, "");
/** The job's steps, each as its own text. */
const steps = uncommented.split(/^ {6}- /m).slice(1);
const step = (name: string) => steps.find((s) => s.includes(`name: ${name}`))!;

describe("the grade workflow", () => {
  it("runs pull requests from the base branch's workflow file, and keeps push events", () => {
    const triggers = /^on:\n((?: {2}.*\n|\n)*)/m.exec(uncommented)![1]!;
    expect(triggers).toMatch(/^ {2}pull_request_target:/m);
    expect(triggers).toMatch(/^ {2}push:/m);
    expect(triggers).not.toMatch(/^ {2}pull_request:/m);
  });

  it("gives the job a read-only token and nothing more", () => {
    expect(uncommented).toMatch(/^permissions:\n {2}contents: read\n(?! )/m);
    expect(uncommented).not.toMatch(/write/);
  });

  it("checks out the base branch as the trusted checkout and the head only as data", () => {
    expect(step("Check out the trusted tests and grader")).toMatch(
      /ref: \$\{\{ github\.event\.pull_request\.base\.sha \|\|/,
    );
    expect(step("Check out the submission")).toMatch(
      /ref: \$\{\{ github\.event\.pull_request\.head\.sha \|\| github\.sha \}\}\n\s+path: submission/,
    );
    const checkouts = steps.filter((s) => s.includes("actions/checkout@"));
    expect(checkouts).toHaveLength(3);
    for (const checkout of checkouts) expect(checkout).toMatch(/persist-credentials: false/);
  });

  it("grades with --submission, with no secret or token in the grading step", () => {
    const grade = step("Grade");
    expect(grade).toMatch(/npx sandbox grade \\\n\s+--submission \.\.\/submission/);
    expect(grade).not.toMatch(/secrets\.|github\.token|GITHUB_TOKEN/);
    expect(grade).toMatch(/working-directory: trusted/);
  });

  it("never saves a cache the graded code could have written to", () => {
    expect(uncommented).not.toMatch(/cache: npm|actions\/cache@/);
    expect(uncommented).toMatch(/actions\/cache\/restore@/);
  });
});
