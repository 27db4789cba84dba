// The exercises' Jest test environment: Node's own (jest-environment-node), plus these.
// - A test that fails because the code under test is still a stub says "not implemented yet:
//   <what>" in one line (not-implemented.ts), instead of an assertion on a 500 and a code frame.
// - With `testEnvironmentOptions.bailAtFirstFailure` (the grader sets it for a run that needs only
//   one failure: a wrong solution in `sandbox verify`), the tests after a file's first failing test
//   are skipped, and so are the describe blocks not yet started (their beforeAll hooks too). Jest's
//   own `bail` then starts no further file.
// - With `testEnvironmentOptions.rules` (README rule ids: those a wrong solution breaks, its
//   patch's `Breaks:` line), only the tests citing one of them in their title run; the others are
//   skipped, and so is a describe block holding none (its hooks too).
// Jest documents handleTestEvent for this (https://jestjs.io/docs/configuration#testenvironment-string):
// it sees each test's errors before they are reported, and jest-circus reads a test's and a
// describe block's `mode` only after its test_start or run_describe_start event.
// It also hands every test file of the process one copy of the packages the testkit keeps to
// itself: Testcontainers, ioredis and pg (process-packages.ts).
import type { Circus } from "@jest/types";
import { TestEnvironment } from "jest-environment-node";
import { clearNotImplementedNotes, notImplementedFailure } from "./not-implemented";
import { loadProcessPackage, PROCESS_PACKAGES } from "./process-packages";
import { citedRules } from "./rule-citations";

export default class SandboxEnvironment extends TestEnvironment {
  private readonly bailAtFirstFailure: boolean;
  private readonly rules: Set<string> | undefined;
  private failed = false;

  constructor(...[config, context]: ConstructorParameters<typeof TestEnvironment>) {
    super(config, context);
    const options = config.projectConfig.testEnvironmentOptions;
    this.bailAtFirstFailure = options["bailAtFirstFailure"] === true;
    const rules = options["rules"];
    this.rules = Array.isArray(rules) ? new Set(rules.map(String)) : undefined;
    // One copy of each for every test file of this process, loaded on first use by Node's own
    // require (this module is outside the files' registries): process-packages.ts.
    this.global[PROCESS_PACKAGES] = loadProcessPackage;
  }

  handleTestEvent(event: Circus.AsyncEvent | Circus.SyncEvent): void {
    if (event.name === "test_start") clearNotImplementedNotes(this.global);
    // test_done comes before Jest reports the test (onTestCaseResult and the file's results).
    if (event.name === "test_done") {
      event.test.errors = event.test.errors.map((entry) => {
        const error = Array.isArray(entry) ? (entry[0] ?? entry[1]) : entry;
        return notImplementedFailure(error, this.global) ?? entry;
      });
    }
    if (this.rules) this.skipUncited(event, this.rules);
    if (this.bailAtFirstFailure) this.skipAfterFirstFailure(event);
  }

  /** Skips a test whose title (with its describe blocks') cites none of `rules`, and a block without one. */
  private skipUncited(event: Circus.AsyncEvent | Circus.SyncEvent, rules: Set<string>): void {
    const cites = (name: string) => citedRules(name).some((rule) => rules.has(rule));
    if (event.name === "test_start" && !cites(fullName(event.test))) event.test.mode = "skip";
    if (event.name === "run_describe_start") {
      const block = event.describeBlock;
      if (!holdsCitingTest(block, block.parent ? namesOf(block.parent) : "", cites))
        block.mode = "skip";
    }
  }

  /** Once a test failed, every later test and describe block of the file is skipped. */
  private skipAfterFirstFailure(event: Circus.AsyncEvent | Circus.SyncEvent): void {
    if (event.name === "test_done" && event.test.errors.length > 0) this.failed = true;
    if (!this.failed) return;
    if (event.name === "test_start") event.test.mode = "skip";
    if (event.name === "run_describe_start") event.describeBlock.mode = "skip";
  }
}

/** The names of `block` and the describe blocks around it, outermost first (the root's left out). */
function namesOf(block: Circus.DescribeBlock): string {
  const names: string[] = [];
  for (let at = block; at.parent; at = at.parent) names.unshift(at.name);
  return names.join(" ");
}

/** A test's title after its describe blocks'. */
function fullName(test: Circus.TestEntry): string {
  return `${namesOf(test.parent)} ${test.name}`;
}

/** Whether `block`, whose describe blocks' names above it are `above`, holds a test `cites`. */
function holdsCitingTest(
  block: Circus.DescribeBlock,
  above: string,
  cites: (name: string) => boolean,
): boolean {
  const here = block.parent ? `${above} ${block.name}` : above;
  return block.children.some((child) =>
    child.type === "test" ? cites(`${here} ${child.name}`) : holdsCitingTest(child, here, cites),
  );
}
