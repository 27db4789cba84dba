import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  clearNotImplementedNotes,
  noteNotImplementedError,
  noteNotImplementedReply,
  notImplementedFailure,
} from "../src/not-implemented";
import { fixtureEnv, fixtureJestArgs } from "./fixture-run";

describe("a stub's failures", () => {
  it("are said in one line, through the exercises' test environment, and only a stub's", () => {
    const dir = mkdtempSync(join(tmpdir(), "stub-suite-"));
    try {
      const outputFile = join(dir, "results.json");
      const run = spawnSync(
        process.execPath,
        [...fixtureJestArgs("stub-suite"), "--json", "--outputFile", outputFile],
        { env: fixtureEnv(), encoding: "utf8", timeout: 120_000 },
      );
      const results = JSON.parse(readFileSync(outputFile, "utf8")) as {
        testResults: { assertionResults: { title: string; failureMessages: string[] }[] }[];
      };
      const said = Object.fromEntries(
        results.testResults[0]!.assertionResults.map((test) => [
          test.title,
          test.failureMessages.join("\n"),
        ]),
      );
      expect(said).toEqual({
        "answered 501": "not implemented yet: createGateway (the app answered 501 to this request)",
        "threw in a handler":
          "not implemented yet: GET /products/:id (the app answered 500 to this request)",
        "threw itself": "not implemented yet: migrate (thrown by the code under test)",
        "failed for another reason": expect.stringContaining("Received: 500"),
        "failed after a stub's answer in an earlier test": expect.stringContaining('"not ok"'),
        "expects the 501 it gets": "",
      });
      expect(run.stderr).not.toMatch(/not implemented yet[^\n]*\n\s+at /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("name where the learner's process threw, from the stack it carried over", () => {
    const global = {};
    clearNotImplementedNotes(global);
    const remote = Object.assign(new Error("not implemented: consume"), {
      stack:
        "Error: not implemented: consume\n    at consume (/x/exercises/r/src/algorithms.ts:28:9)",
    });
    expect(notImplementedFailure(remote, global)?.message).toBe(
      "not implemented yet: consume (src/algorithms.ts:28)",
    );
    // A test that catches that error and fails on something else still says why.
    noteNotImplementedError(remote);
    const elsewhere = new Error("expected a PaymentProviderError");
    expect(notImplementedFailure(elsewhere, globalThis)?.message).toBe(
      "not implemented yet: consume (src/algorithms.ts:28)",
    );
    clearNotImplementedNotes(globalThis);
    expect(notImplementedFailure(elsewhere, globalThis)).toBeUndefined();
  });

  it("are told only by 500 and 501 answers that say so", () => {
    clearNotImplementedNotes(globalThis);
    noteNotImplementedReply(404, "not implemented: x");
    noteNotImplementedReply(500, "Internal Server Error");
    noteNotImplementedReply(200, "not implemented: y");
    expect(notImplementedFailure(new Error("boom"), globalThis)).toBeUndefined();
    noteNotImplementedReply(501, '{"error":"not implemented"}');
    expect(notImplementedFailure(new Error("boom"), globalThis)?.message).toBe(
      "not implemented yet (the app answered 501 to this request)",
    );
    clearNotImplementedNotes(globalThis);
  });
});
