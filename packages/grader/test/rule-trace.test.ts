import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { loadExercise } from "../src/exercise/manifest";
import { citedRules } from "@backend-sandbox/testkit/runner";
import { readRules, readTestTitles, ruleTraceChecks } from "../src/exercise/rule-trace";
import { sandbox, scratchDir } from "./run-sandbox";

const README = `# Shop

## The interface

Not a rule: **R9.9** in prose is flagged, since a rule must open a list item.

## Stages

### 1. cart

- **R1.1** \`POST /cart\` answers \`201\`.
- **R1.2** An empty body answers \`422\`,
  continued on an indented line.

  \`\`\`ts
  - **R1.7** inside a code block is not a rule
  \`\`\`

### 2. checkout — Checkout

- **R2.1** \`POST /checkout\` answers \`200\`.
- **R2.3** numbered with a gap.

## Running

- **R2.2** after the stages: outside any stage section.
`;

describe("readRules", () => {
  it("reads the rules under their stage headings and names every departure from the format", () => {
    const { rules, problems } = readRules(README, ["cart", "checkout"]);
    expect(rules.map((r) => `${r.id}@${r.stage}:${r.line}`)).toEqual([
      "R1.1@1:11",
      "R1.2@1:12",
      "R2.1@2:21",
      "R2.3@2:22",
      "R2.2@2:26",
    ]);
    expect(problems).toEqual([
      'line 5: a rule id in bold must open a list item: "- **R<stage>.<n>** ..."',
      'line 26: R2.2 stands outside the stage sections; rules of stage 2 belong under "### 2. checkout"',
      "stage 2's rules are numbered 1, 3, 2; number them 1, 2, 3 ... in order",
    ]);
  });

  it("asks for a heading per stage, in the manifest's order", () => {
    const { problems } = readRules("## Stages\n\n### 1. checkout\n\n- **R1.1** x\n", [
      "cart",
      "checkout",
    ]);
    expect(problems).toEqual([
      'line 3: heading "### 1. checkout" should name stage 1, cart',
      'no heading "### 2. checkout" for stage 2',
      "stage 2 (checkout) has no rules",
    ]);
  });
});

describe("readTestTitles", () => {
  it("reads every it/test call's literal title and the rules it cites", () => {
    const source = [
      'describe("[R1.1] describe titles do not count", () => {',
      '  it("[R1.1] answers 201", () => {});',
      "  it.each([1, 2])(`[R1.2, R2.1] refuses %p with ${'422'}`, () => {});",
      '  test.concurrent("no citation", async () => {});',
      "  it(title, () => {});",
      '  it("[r1.1] lower case and [R1] are not citations", () => {});',
      "});",
    ].join("\n");
    const titles = readTestTitles("cart.test.ts", source);
    expect(titles.map((t) => [t.line, t.title, t.cites])).toEqual([
      [2, "[R1.1] answers 201", ["R1.1"]],
      [3, "[R1.2, R2.1] refuses %p with ${…}", ["R1.2", "R2.1"]],
      [4, "no citation", []],
      [5, undefined, []],
      [6, "[r1.1] lower case and [R1] are not citations", []],
    ]);
    expect(citedRules("[R1.1][R3.2] and [R2.1 , R2.2]")).toEqual(["R1.1", "R3.2", "R2.1", "R2.2"]);
  });
});

describe("ruleTraceChecks", () => {
  function exerciseWith(tests: Record<string, string>): string {
    const dir = path.join(scratchDir("trace"), "shop");
    const files: Record<string, string> = {
      "README.md":
        "## Stages\n\n### 1. cart\n\n- **R1.1** a\n- **R1.2** b\n\n### 2. checkout\n\n- **R2.1** c\n",
      ".meta/exercise.json": JSON.stringify({
        slug: "shop",
        title: "Shop",
        summary: "s",
        difficulty: "beginner",
        concepts: ["c"],
        services: [],
        timeLimitSeconds: 60,
        stages: [
          { id: "cart", title: "Cart", points: 50 },
          { id: "checkout", title: "Checkout", points: 50 },
        ],
      }),
      ...tests,
    };
    for (const [file, content] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      writeFileSync(path.join(dir, file), content);
    }
    return dir;
  }
  const checksOf = (dir: string, files: string[]) =>
    ruleTraceChecks(
      dir,
      loadExercise(dir),
      files.map((f) => path.join(dir, f)),
    );

  it("holds when every test cites rules of its stage or before and every rule is cited", () => {
    const dir = exerciseWith({
      "test/cart.test.ts": 'it("[R1.1] a", () => {});\n',
      ".meta/hidden/cart.edges.test.ts": 'it("[R1.2] b", () => {});\n',
      ".meta/hidden/checkout.test.ts": 'it("[R2.1, R1.1] c", () => {});\n',
    });
    const checks = checksOf(dir, [
      "test/cart.test.ts",
      ".meta/hidden/cart.edges.test.ts",
      ".meta/hidden/checkout.test.ts",
    ]);
    expect(checks.filter((c) => !c.ok)).toEqual([]);
    expect(checks.map((c) => c.what)).toContain(
      "every test cites a README rule in its title (3 tests, 4 citations)",
    );
    expect(checks[0]!.what).toBe("README numbers its rules: 3 rules in 2 stages");
  });

  it("names a test without a citation, an unknown rule, a later stage's rule and an uncited rule", () => {
    const dir = exerciseWith({
      "test/cart.test.ts": 'it("[R1.1] a", () => {});\nit("no rule", () => {});\n',
      ".meta/hidden/cart.test.ts": 'it("[R2.1, R1.9] reaches ahead", () => {});\n',
    });
    const failed = checksOf(dir, ["test/cart.test.ts", ".meta/hidden/cart.test.ts"]).filter(
      (c) => !c.ok,
    );
    expect(failed).toEqual([
      {
        ok: false,
        show: true,
        what: "every test cites a README rule in its title (3 tests, 3 citations)",
        detail: 'test/cart.test.ts:2: "no rule"',
      },
      {
        ok: false,
        what: "every cited rule exists in the README",
        detail: ".meta/hidden/cart.test.ts:1 cites R1.9",
      },
      {
        ok: false,
        what: "no test cites a rule of a later stage than its own",
        detail: ".meta/hidden/cart.test.ts:1 (stage 1) cites R2.1",
      },
      { ok: false, what: "every rule is cited by a test", detail: "not cited: R1.2" },
    ]);
  });
});

describe("sandbox verify's options for authors", () => {
  it("--static runs only the checks that grade nothing", async () => {
    const run = await sandbox(["verify", "passing", "--static"]);
    expect(run.stdout).toMatch(/README.md numbers its rules/);
    expect(run.stdout).not.toMatch(/solution passes|scores the maximum|stub fails/);
  });

  it("--wrong-solution takes one exercise and names a wrong solution that does not exist", async () => {
    const two = await sandbox(["verify", "passing", "partial", "--wrong-solution", "x"]);
    expect(two.code).toBe(2);
    expect(two.stderr).toMatch(/--wrong-solution goes with exactly one exercise/);
    const unknown = await sandbox(["verify", "partial", "--wrong-solution", "ignores-sing"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(
      /unknown wrong solution "ignores-sing" of partial: did you mean ignores-sign\?/,
    );
  });
});
