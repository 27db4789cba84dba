import path from "node:path";

// The testkit preset is the starting point for every run: same transform and per-file setup as
// the learner's `npm test`. Loaded as data only; its moduleNameMapper and testMatch are replaced.
const preset = require("@backend-sandbox/testkit/jest-preset") as Record<string, unknown>;

export interface JestConfigInput {
  repoRoot: string;
  exerciseDir: string;
  /** Folder `#src/*` points at: src/, the solution, or a copy of a submission. */
  sourceDir: string;
  /** Hidden tests folder, or undefined for a visible-only run (`sandbox test`). */
  hiddenDir?: string;
  /** False for a hidden-only run (verify's wrong solutions: the hidden tests must catch them). */
  includeVisible?: boolean;
  /** Whether the tests use Redis or Postgres; without services the testkit's global setup is left out. */
  usesServices: boolean;
  cacheDirectory?: string;
  reporters?: unknown[];
}

/**
 * The Jest configuration the grader writes for one exercise run. Nothing in it comes from the
 * exercise's own jest.config.js or from a submission: the tests, their support code and the
 * transform are fixed here, and only `#src` moves.
 */
export function graderJestConfig(input: JestConfigInput): Record<string, unknown> {
  const testDir = path.join(input.exerciseDir, "test");
  const visible = input.includeVisible === false ? [] : [testDir];
  const roots = [...visible, ...(input.hiddenDir ? [input.hiddenDir] : [])];
  return {
    rootDir: input.exerciseDir,
    roots,
    testMatch: roots.map((root) => `${root}/**/*.test.ts`),
    testPathIgnorePatterns: ["/node_modules/", `${escapeRegExp(testDir)}/support/`],
    testEnvironment: preset.testEnvironment,
    transform: preset.transform,
    moduleNameMapper: {
      "^#src/(.*)$": `${input.sourceDir}/$1`,
      "^#support/(.*)$": `${testDir}/support/$1`,
    },
    // Hidden tests may live outside the checkout (--hidden-dir); they still resolve packages here.
    modulePaths: [path.join(input.repoRoot, "node_modules")],
    setupFilesAfterEnv: preset.setupFilesAfterEnv,
    ...(input.usesServices
      ? { globalSetup: preset.globalSetup, globalTeardown: preset.globalTeardown }
      : {}),
    testTimeout: preset.testTimeout,
    reporters: input.reporters ?? ["default"],
    watchman: false,
    ...(input.cacheDirectory ? { cacheDirectory: input.cacheDirectory } : {}),
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
