import { readFileSync } from "node:fs";
import path from "node:path";
import { citedRules, stageOfFile } from "@backend-sandbox/testkit/runner";
import ts from "typescript";
import type { Exercise } from "./manifest";
import type { Check } from "./structure-checks";

/**
 * The rule trace of an exercise (../shared/DESIGN.md, "Every test cites in its title the README
 * rules it checks"): the README numbers each stage's rules `R<stage>.<n>`, every test's title cites
 * the rules it checks, `[R3.2]` or `[R3.2, R1.1]`, and verify holds the two together, as Exercism's
 * `tests.toml` ties each test to a canonical case.
 */

/** A numbered rule of the README: `- **R3.2** ...` under `### 3. <stage-id>`. */
export interface Rule {
  id: string;
  /** 1-based position of its stage in exercise.json. */
  stage: number;
  /** 1-based line in README.md. */
  line: number;
}

/** One `it`/`test` call of a test file, with the rules its title cites. */
export interface TestTitle {
  file: string;
  line: number;
  /** The title's literal text, or undefined when it is not a literal the check can read. */
  title?: string;
  cites: string[];
}

const STAGE_HEADING = /^###\s+(\d+)\.\s+`?([a-z0-9-]+)`?(?:\s+—\s+.*)?\s*$/;
const RULE_ITEM = /^[-*]\s+\*\*R(\d+)\.(\d+)\*\*/;
const RULE_ANYWHERE = /\*\*R\d+\.\d+\*\*/;

/**
 * Reads the rules of a README. Returns them in order, with one problem string per departure from
 * the format: a stage heading missing or out of order, a rule outside its stage's section, numbers
 * with gaps or repeats, a bold rule id that is not a list item.
 */
export function readRules(
  readme: string,
  stageIds: string[],
): { rules: Rule[]; problems: string[] } {
  const rules: Rule[] = [];
  const problems: string[] = [];
  const headings: number[] = [];
  let stage = 0; // the stage whose section we are in; 0 before the first stage heading
  let inFence = false;
  readme.split("\n").forEach((text, index) => {
    const line = index + 1;
    if (/^\s*(```|~~~)/.test(text)) inFence = !inFence;
    if (inFence) return;
    if (/^#{1,3}\s/.test(text)) stage = 0; // any other heading of that level or above ends a section
    const heading = STAGE_HEADING.exec(text);
    if (heading) {
      const position = Number(heading[1]);
      const expected = stageIds[position - 1];
      if (expected !== heading[2])
        problems.push(
          `line ${line}: heading "### ${position}. ${heading[2]}" should name stage ${position}, ${expected ?? "(none: exercise.json has " + stageIds.length + " stages)"}`,
        );
      stage = position;
      headings.push(position);
      return;
    }
    const item = RULE_ITEM.exec(text.trimStart());
    if (item) {
      const id = `R${item[1]}.${item[2]}`;
      if (Number(item[1]) !== stage)
        problems.push(
          `line ${line}: ${id} stands ${stage === 0 ? "outside the stage sections" : `under stage ${stage}`}; rules of stage ${item[1]} belong under "### ${item[1]}. ${stageIds[Number(item[1]) - 1] ?? "?"}"`,
        );
      rules.push({ id, stage: Number(item[1]), line });
    } else if (RULE_ANYWHERE.test(text)) {
      problems.push(
        `line ${line}: a rule id in bold must open a list item: "- **R<stage>.<n>** ..."`,
      );
    }
  });
  stageIds.forEach((id, index) => {
    if (!headings.includes(index + 1))
      problems.push(`no heading "### ${index + 1}. ${id}" for stage ${index + 1}`);
  });
  for (let s = 1; s <= stageIds.length; s++) {
    const numbers = rules.filter((r) => r.stage === s).map((r) => Number(r.id.split(".")[1]));
    if (numbers.length === 0) problems.push(`stage ${s} (${stageIds[s - 1]}) has no rules`);
    else if (numbers.some((n, i) => n !== i + 1))
      problems.push(
        `stage ${s}'s rules are numbered ${numbers.join(", ")}; number them 1, 2, 3 ... in order`,
      );
  }
  return { rules, problems };
}

const TEST_FUNCTIONS = new Set(["it", "test"]);

/**
 * Every `it(...)`/`test(...)` call in a TypeScript test file (also `it.each(...)(...)`,
 * `it.concurrent(...)`, `test.failing(...)`), with its title's literal text. A title built from a
 * variable cannot be read, so it is returned with `title` undefined.
 */
export function readTestTitles(file: string, source = readFileSync(file, "utf8")): TestTitle[] {
  const tree = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true);
  const found: TestTitle[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && isTestFunction(node.expression) && node.arguments.length > 0) {
      const first = node.arguments[0]!;
      const title = literalText(first);
      found.push({
        file,
        line: tree.getLineAndCharacterOfPosition(node.getStart()).line + 1,
        title,
        cites: title === undefined ? [] : citedRules(title),
      });
    }
    ts.forEachChild(node, visit);
  };
  visit(tree);
  return found;
}

/** `it`, `test`, `it.only`, `it.each(table)`, `test.concurrent.each(table)` ... */
function isTestFunction(callee: ts.Expression): boolean {
  if (ts.isIdentifier(callee)) return TEST_FUNCTIONS.has(callee.text);
  // `it.each(table)` only builds the test; the call that follows it, `(title, fn)`, is the test.
  if (ts.isPropertyAccessExpression(callee))
    return callee.name.text !== "each" && isTestFunction(callee.expression);
  if (ts.isCallExpression(callee) && ts.isPropertyAccessExpression(callee.expression))
    return callee.expression.name.text === "each" && isTestFunction(callee.expression.expression);
  return false;
}

/** The literal text of a string or template literal (substitutions read as `${…}`). */
function literalText(node: ts.Expression): string | undefined {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isTemplateExpression(node))
    return node.head.text + node.templateSpans.map((span) => "${…}" + span.literal.text).join("");
  return undefined;
}

/**
 * The rule-trace checks of `sandbox verify`, one each: the README's rules are well formed; every
 * test cites a rule; every cited rule exists; no test cites a rule of a later stage than its file's;
 * every rule is cited by some test. The first check's text gives the counts checked.
 */
export function ruleTraceChecks(dir: string, exercise: Exercise, testFiles: string[]): Check[] {
  const stageIds = exercise.manifest.stages.map((s) => s.id);
  let readme: string;
  try {
    readme = readFileSync(path.join(dir, "README.md"), "utf8");
  } catch (error) {
    return [{ ok: false, what: "README.md numbers its rules", detail: (error as Error).message }];
  }
  const { rules, problems } = readRules(readme, stageIds);
  const byId = new Map(rules.map((rule) => [rule.id, rule]));
  const tests = testFiles.flatMap((file) => readTestTitles(file));
  const where = (t: TestTitle) => `${path.relative(dir, t.file)}:${t.line}`;
  const citations = tests.reduce((sum, t) => sum + t.cites.length, 0);

  const uncited = tests.filter((t) => t.cites.length === 0);
  const unknown = tests.flatMap((t) =>
    t.cites.filter((id) => !byId.has(id)).map((id) => `${where(t)} cites ${id}`),
  );
  const later = tests.flatMap((t) => {
    const own = stageIds.indexOf(stageOfFile(t.file)) + 1;
    return t.cites
      .filter((id) => (byId.get(id)?.stage ?? 0) > own)
      .map((id) => `${where(t)} (stage ${own}) cites ${id}`);
  });
  const cited = new Set(tests.flatMap((t) => t.cites));
  const orphans = rules.filter((rule) => !cited.has(rule.id)).map((rule) => rule.id);

  return [
    counted(
      `README numbers its rules: ${rules.length} rules in ${stageIds.length} stages`,
      problems,
    ),
    counted(
      `every test cites a README rule in its title (${tests.length} tests, ${citations} citations)`,
      uncited.map((t) =>
        t.title === undefined
          ? `${where(t)}: the title is not a literal the check can read`
          : `${where(t)}: "${t.title}"`,
      ),
    ),
    check("every cited rule exists in the README", unknown),
    check("no test cites a rule of a later stage than its own", later),
    check(
      "every rule is cited by a test",
      orphans.length ? [`not cited: ${orphans.join(", ")}`] : [],
    ),
  ];
}

/** A check whose text carries counts: verify prints it even when it holds. */
function counted(what: string, problems: string[]): Check {
  return { ...check(what, problems), show: true };
}

function check(what: string, problems: string[]): Check {
  const shown = problems.slice(0, 8).join("; ");
  const more = problems.length > 8 ? `; and ${problems.length - 8} more` : "";
  return problems.length === 0 ? { ok: true, what } : { ok: false, what, detail: shown + more };
}
