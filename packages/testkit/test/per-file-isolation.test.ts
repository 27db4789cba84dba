import { spawnSync } from "node:child_process";
import { because } from "../src";
import { fixtureEnv, fixtureJestArgs } from "./fixture-run";

describe("per-file isolation", () => {
  it("two test files running in parallel never see each other's Redis keys or Postgres tables", () => {
    const run = spawnSync(process.execPath, fixtureJestArgs("isolation-suite"), {
      env: fixtureEnv(),
      encoding: "utf8",
      timeout: 150_000,
    });
    const output = `${run.stdout}${run.stderr}`;
    because(`expected both isolation files to pass side by side; the run said:\n${output}`, () => {
      expect(output).toMatch(/Tests:\s+2 passed, 2 total/);
      expect(run.status).toBe(0);
    });
  }, 180_000);
});
