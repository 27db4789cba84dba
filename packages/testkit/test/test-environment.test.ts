import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fixtureEnv, fixtureJestArgs } from "./fixture-run";

/**
 * Runs the fixture suite `name` with Jest; its hooks and tests log their names to the file named
 * by `<logVariable>` as they run. Returns those lines and each test's title and status.
 */
function runSuite(name: string, logVariable: string) {
  const dir = mkdtempSync(join(tmpdir(), `${name}-`));
  try {
    const log = join(dir, "ran.txt");
    const outputFile = join(dir, "results.json");
    spawnSync(process.execPath, [...fixtureJestArgs(name), "--json", "--outputFile", outputFile], {
      env: fixtureEnv({ [logVariable]: log }),
      encoding: "utf8",
      timeout: 120_000,
    });
    const results = JSON.parse(readFileSync(outputFile, "utf8")) as {
      testResults: { assertionResults: { title: string; status: string }[] }[];
    };
    return {
      ran: readFileSync(log, "utf8").trim().split("\n"),
      tests: results.testResults[0]!.assertionResults.map((test) => [test.title, test.status]),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("the exercises' test environment, told to bail at the first failing test", () => {
  it("skips the file's later tests and blocks (their beforeAll too), and still cleans up", () => {
    const { ran, tests } = runSuite("bail-suite", "BAIL_SUITE_LOG");
    expect(ran).toEqual(["passes", "fails", "the file's afterAll"]);
    expect(tests).toEqual([
      ["passes", "passed"],
      ["fails", "failed"],
      ["comes after the failure", "pending"],
      ["is in a later block", "pending"],
    ]);
  });
});

describe("the exercises' test environment, told the rules a wrong solution breaks", () => {
  it("runs only the tests citing one of them, and no hook of a block holding none", () => {
    const { ran, tests } = runSuite("rules-suite", "RULES_SUITE_LOG");
    expect(ran).toEqual(["cited's beforeAll", "R1.2, R2.1", "under a citing block"]);
    expect(tests.map(([, status]) => status)).toEqual([
      "pending",
      "passed",
      "pending",
      "passed",
      "pending",
    ]);
  });
});

describe("the exercises' test environment, for the testkit's own clients", () => {
  it("gives every test file of a process the same Testcontainers, ioredis and pg, loaded once", () => {
    const { ran, tests } = runSuite("shared-packages-suite", "SHARED_PACKAGES_LOG");
    expect(tests).toEqual([["takes the process's packages", "passed"]]);
    // Each file marks the exports it got: the second sees the first's marks.
    expect(ran).toEqual(["1 1 1", "2 2 2"]);
  });
});
