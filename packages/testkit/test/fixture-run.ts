import { join, resolve } from "node:path";
import type { LearnerRun } from "../src/learner/learner-run";
import { sharedServicesIn } from "../src/runner";

/** Arguments that run one fixture suite under test/fixtures/<name> with its own Jest config. */
export function fixtureJestArgs(name: string): string[] {
  const fixture = join(__dirname, "fixtures", name);
  return [
    require.resolve("jest/bin/jest"),
    "--config",
    join(fixture, "jest.config.js"),
    "--rootDir",
    fixture,
  ];
}

/**
 * The environment of a fixture run: this run's, less what would attach it to this run's services
 * or count it in CI's totals, so the fixture starts and ends services of its own (never the
 * warm services of the learner's loop, unless `extra` asks for them).
 */
export function fixtureEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, SANDBOX_WARM_SERVICES: "0", ...extra };
  for (const name of [
    "SANDBOX_PROVIDER",
    "SANDBOX_RESULTS_DIR",
    "SANDBOX_REDIS_URL",
    "SANDBOX_DATABASE_URL",
    "JEST_WORKER_ID",
  ]) {
    delete env[name];
  }
  return env;
}

/**
 * The provider warm services of a test take: this run's (from its services' handshake), with
 * native standing in for external, since warm services are never external.
 */
export function warmServicesProvider(): string {
  const provider = sharedServicesIn()?.provider ?? "auto";
  return provider === "external" ? "native" : provider;
}

/**
 * A learner's run of the fixture exercise `test/fixtures/learner-exercise` (its package.json),
 * with the code under test in `sourceDir`, sealed or not, loading `dependencies`.
 */
export function fixtureLearnerRun(
  sourceDir: string,
  sealed: boolean,
  dependencies: string[] = [],
): LearnerRun {
  const repository = resolve(__dirname, "../../..");
  return {
    exerciseDir: join(__dirname, "fixtures/learner-exercise"),
    sourceDir,
    sealed,
    dependencies,
    modulePaths: [join(repository, "node_modules")],
    readOnly: [join(repository, "node_modules"), join(repository, "packages/testkit/src")],
    echoOutput: false,
  };
}
