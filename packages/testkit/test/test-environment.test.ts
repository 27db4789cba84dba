import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fixtureEnv, fixtureJestArgs } from "./fixture-run";

describe("the exercises' test environment, told to bail at the first failing test", () => {
  it("skips the file's later tests and blocks (their beforeAll too), and still cleans up", () => {
    const dir = mkdtempSync(join(tmpdir(), "bail-suite-"));
    try {
      const log = join(dir, "ran.txt");
      const outputFile = join(dir, "results.json");
      spawnSync(
        process.execPath,
        [...fixtureJestArgs("bail-suite"), "--json", "--outputFile", outputFile],
        { env: fixtureEnv({ BAIL_SUITE_LOG: log }), encoding: "utf8", timeout: 120_000 },
      );
      expect(readFileSync(log, "utf8").trim().split("\n")).toEqual([
        "passes",
        "fails",
        "the file's afterAll",
      ]);
      const results = JSON.parse(readFileSync(outputFile, "utf8")) as {
        testResults: { assertionResults: { title: string; status: string }[] }[];
      };
      expect(
        results.testResults[0]!.assertionResults.map((test) => [test.title, test.status]),
      ).toEqual([
        ["passes", "passed"],
        ["fails", "failed"],
        ["comes after the failure", "pending"],
        ["is in a later block", "pending"],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
