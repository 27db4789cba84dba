import { readFileSync } from "node:fs";

/**
 * Rule citations, `[R3.2]` or `[R3.2, R1.1]` (../shared/DESIGN.md: every test cites in its title
 * the README rules it checks). Apart from rule-trace.ts, which parses test files with TypeScript,
 * so that a grading reads citations without loading TypeScript (0.7 s of CPU a process).
 */
const CITATION_GROUP = /\[\s*(R\d+\.\d+(?:\s*,\s*R\d+\.\d+)*)\s*\]/g;

/** The rule ids a text cites: every `R<s>.<n>` inside square brackets, in order. */
export function citedRules(text: string): string[] {
  const cited: string[] = [];
  for (const group of text.matchAll(CITATION_GROUP))
    for (const id of group[1]!.split(",")) cited.push(id.trim());
  return cited;
}

/**
 * The rule ids a test file cites anywhere in its text, in order: its titles' and any other
 * bracketed citation. The run plan puts first the files citing a rule of `Breaks:` by this cheap
 * reading; verify's structure check reads the titles alone (rule-trace.ts), so the file it
 * vouches for is always among those.
 */
export function rulesCitedInFile(file: string): string[] {
  return citedRules(readFileSync(file, "utf8"));
}
