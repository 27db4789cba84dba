/**
 * Rule citations in test titles, `[R3.2]` or `[R3.2, R1.1]` (../shared/DESIGN.md: every test cites
 * in its title the README rules it checks). The grader reads them from test files (its
 * rule-citations.ts and rule-trace.ts); the test environment reads them from titles, to run only
 * the tests of the rules a wrong solution breaks.
 */
const CITATION_GROUP = /\[\s*(R\d+\.\d+(?:\s*,\s*R\d+\.\d+)*)\s*\]/g;

/** The rule ids a text cites: every `R<s>.<n>` inside square brackets, in order. */
export function citedRules(text: string): string[] {
  const cited: string[] = [];
  for (const group of text.matchAll(CITATION_GROUP))
    for (const id of group[1]!.split(",")) cited.push(id.trim());
  return cited;
}
