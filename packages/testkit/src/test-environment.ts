// The exercises' Jest test environment: Node's own (jest-environment-node), plus one thing. A test
// that fails because the code under test is still a stub says "not implemented yet: <what>" in one
// line (not-implemented.ts), instead of an assertion on a 500 and a code frame of the test.
// Jest documents handleTestEvent for this (https://jestjs.io/docs/configuration#testenvironment-string):
// it sees each test's errors before they are reported.
import type { Circus } from "@jest/types";
import { TestEnvironment } from "jest-environment-node";
import { clearNotImplementedNotes, notImplementedFailure } from "./not-implemented";

export default class SandboxEnvironment extends TestEnvironment {
  handleTestEvent(event: Circus.AsyncEvent | Circus.SyncEvent): void {
    if (event.name === "test_start") clearNotImplementedNotes(this.global);
    // test_done comes before Jest reports the test (onTestCaseResult and the file's results).
    if (event.name === "test_done") {
      event.test.errors = event.test.errors.map((entry) => {
        const error = Array.isArray(entry) ? (entry[0] ?? entry[1]) : entry;
        return notImplementedFailure(error, this.global) ?? entry;
      });
    }
  }
}
