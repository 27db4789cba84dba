// The exercises' Jest test environment: Node's own (jest-environment-node), plus two things.
// - A test that fails because the code under test is still a stub says "not implemented yet:
//   <what>" in one line (not-implemented.ts), instead of an assertion on a 500 and a code frame.
// - With `testEnvironmentOptions.bailAtFirstFailure` (the grader sets it for a run that needs only
//   one failure: a wrong solution in `sandbox verify`), the tests after a file's first failing test
//   are skipped, and so are the describe blocks not yet started (their beforeAll hooks too). Jest's
//   own `bail` then starts no further file.
// Jest documents handleTestEvent for this (https://jestjs.io/docs/configuration#testenvironment-string):
// it sees each test's errors before they are reported, and jest-circus reads a test's and a
// describe block's `mode` only after its test_start or run_describe_start event.
import type { Circus } from "@jest/types";
import { TestEnvironment } from "jest-environment-node";
import { clearNotImplementedNotes, notImplementedFailure } from "./not-implemented";

export default class SandboxEnvironment extends TestEnvironment {
  private readonly bailAtFirstFailure: boolean;
  private failed = false;

  constructor(...[config, context]: ConstructorParameters<typeof TestEnvironment>) {
    super(config, context);
    this.bailAtFirstFailure =
      config.projectConfig.testEnvironmentOptions["bailAtFirstFailure"] === true;
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
    if (this.bailAtFirstFailure) this.skipAfterFirstFailure(event);
  }

  /** Once a test failed, every later test and describe block of the file is skipped. */
  private skipAfterFirstFailure(event: Circus.AsyncEvent | Circus.SyncEvent): void {
    if (event.name === "test_done" && event.test.errors.length > 0) this.failed = true;
    if (!this.failed) return;
    if (event.name === "test_start") event.test.mode = "skip";
    if (event.name === "run_describe_start") event.describeBlock.mode = "skip";
  }
}
