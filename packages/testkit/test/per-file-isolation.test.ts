import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { because } from "../src";

describe("per-file isolation", () => {
  it("two test files running in parallel never see each other's Redis keys or Postgres tables", () => {
    const fixture = join(__dirname, "fixtures", "isolation-suite");
    const env = { ...process.env };
    for (const name of [
      "SANDBOX_PROVIDER",
      "SANDBOX_RESULTS_DIR",
      "SANDBOX_REDIS_URL",
      "SANDBOX_DATABASE_URL",
      "JEST_WORKER_ID",
    ])
      delete env[name];
    const run = spawnSync(
      process.execPath,
      [
        require.resolve("jest/bin/jest"),
        "--config",
        join(fixture, "jest.config.js"),
        "--rootDir",
        fixture,
      ],
      {
        env,
        encoding: "utf8",
        timeout: 150_000,
      },
    );
    const output = `${run.stdout}${run.stderr}`;
    because(`expected both isolation files to pass side by side; the run said:\n${output}`, () => {
      expect(output).toMatch(/Tests:\s+2 passed, 2 total/);
      expect(run.status).toBe(0);
    });
  }, 180_000);
});
