import { readFileSync } from "node:fs";
import { citedRules } from "@backend-sandbox/testkit/runner";

/**
 * The rule ids a test file cites anywhere in its text, in order: its titles' and any other
 * bracketed citation (citedRules). Apart from rule-trace.ts, which parses test files with
 * TypeScript, so that a grading reads citations without loading TypeScript (0.7 s of CPU a
 * process). The run plan keeps, of a wrong solution's files, those citing a rule of `Breaks:` by
 * this cheap reading; verify's structure check reads the titles alone (rule-trace.ts), so the file
 * it vouches for is always among those.
 */
export function rulesCitedInFile(file: string): string[] {
  return citedRules(readFileSync(file, "utf8"));
}
