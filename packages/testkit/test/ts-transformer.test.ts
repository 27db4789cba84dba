import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TransformOptions } from "@jest/transform";
import { normalize } from "jest-config";
import { exerciseJestConfig } from "../exercise-layout";

// The transform's cache key depends on each file's own inputs alone, so gradings whose Jest
// configurations differ (another source folder, other planned files) reuse each other's
// transforms; anything that changes the output changes the key.
const { createTransformer } = require("../ts-transformer.js") as {
  createTransformer(options: { tsconfig: string }): {
    getCacheKey(text: string, file: string, options: TransformOptions): string;
    process(text: string, file: string, options: TransformOptions): { code: string };
  };
};
const TRANSFORMER = require.resolve("../ts-transformer.js");
const BASE_TSCONFIG = path.join(__dirname, "../../../tsconfig.base.json");
const EXERCISE = path.join(__dirname, "fixtures", "learner-exercise");
const FILE = path.join(EXERCISE, "test", "a.test.ts");
const TEXT = "export const answer: number = 42;\n";

/** Jest's normalised project configuration for a grading of `sourceDir`, as the grader writes it. */
async function projectConfig(sourceDir: string, configFile: string, testFiles?: string[]) {
  const initial = exerciseJestConfig({
    exerciseDir: EXERCISE,
    sourceDir,
    hiddenDir: path.join(EXERCISE, "src"),
    includeVisible: false,
    testFiles,
  });
  const { options } = await normalize(initial, {} as never, configFile);
  return options;
}

/** The options Jest passes a transformer for `config`. */
function transformOptions(
  config: Awaited<ReturnType<typeof projectConfig>>,
  transformerConfig: { tsconfig: string },
): TransformOptions {
  return {
    config,
    configString: JSON.stringify(config),
    cacheFS: new Map(),
    transformerConfig,
    instrument: false,
    supportsDynamicImport: false,
    supportsExportNamespaceFrom: false,
    supportsStaticESM: false,
    supportsTopLevelAwait: false,
  } as TransformOptions;
}

function keyOf(
  config: Awaited<ReturnType<typeof projectConfig>>,
  tsconfig = BASE_TSCONFIG,
  text = TEXT,
  file = FILE,
) {
  const transformerConfig = { tsconfig };
  return createTransformer(transformerConfig).getCacheKey(
    text,
    file,
    transformOptions(config, transformerConfig),
  );
}

/** A tsconfig of its own: the base one's text with `from` replaced by `to`. */
function baseTsconfigWith(from: string, to: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "ts-key-")), "tsconfig.json");
  const text = readFileSync(BASE_TSCONFIG, "utf8");
  expect(text).toContain(from);
  writeFileSync(file, text.replace(from, to));
  return file;
}

/**
 * Computes one key in a Node process of its own and says which of ts-jest and TypeScript that
 * process loaded code of (their package.json files do not count): a key should cost neither
 * when the tsconfig can be read without them.
 */
function packagesLoadedForKey(tsconfig: string): string[] {
  const script = `
    const transformer = require(${JSON.stringify(TRANSFORMER)}).createTransformer({ tsconfig: ${JSON.stringify(tsconfig)} });
    transformer.getCacheKey("export {};", "/a.ts", { config: { rootDir: "/", cwd: "/", globals: {} }, instrument: false });
    const loaded = Object.keys(require.cache).map((f) => f.match(/node_modules\\/(ts-jest|typescript)\\/.*\\.js$/)?.[1]);
    process.stdout.write(JSON.stringify([...new Set(loaded.filter(Boolean))].sort()));`;
  return JSON.parse(
    execFileSync(process.execPath, ["-e", script], { encoding: "utf8" }),
  ) as string[];
}

describe("the TypeScript transform's cache key", () => {
  let one: Awaited<ReturnType<typeof projectConfig>>;
  let other: Awaited<ReturnType<typeof projectConfig>>;

  beforeAll(async () => {
    one = await projectConfig("/runs/1/src", "/tmp/run-1/jest.config.json");
    other = await projectConfig("/runs/2/src", "/tmp/run-2/jest.config.json", [FILE]);
  });

  it("is the same for two gradings whose Jest configurations differ", () => {
    expect(one.id).not.toBe(other.id);
    expect(keyOf(one)).toBe(keyOf(other));
  });

  it("changes with the file's text, its path and the compiler options", async () => {
    const es2020 = path.join(mkdtempSync(path.join(tmpdir(), "ts-key-")), "tsconfig.json");
    writeFileSync(
      es2020,
      JSON.stringify({ extends: BASE_TSCONFIG, compilerOptions: { target: "ES2020" } }),
    );
    const keys = [
      keyOf(one),
      keyOf(one, BASE_TSCONFIG, TEXT.replace("42", "41")),
      keyOf(one, BASE_TSCONFIG, TEXT, FILE.replace("a.test", "b.test")),
      // ts-jest keeps one set of options per Jest configuration: another run's, as in Jest.
      keyOf(await projectConfig("/runs/1/src", "/tmp/run-3/jest.config.json"), es2020),
    ];
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("changes with the tsconfig's text when ts-jest is not loaded to read it", () => {
    const es2020 = baseTsconfigWith(`"target": "ES2023"`, `"target": "ES2020"`);
    expect(keyOf(one, es2020)).not.toBe(keyOf(one));
    expect(keyOf(one, es2020)).toBe(keyOf(other, es2020));
  });

  it("is computed without loading ts-jest or TypeScript, unless isolatedModules is off", () => {
    expect(packagesLoadedForKey(BASE_TSCONFIG)).toEqual([]);
    const typeChecked = baseTsconfigWith(`"isolatedModules": true`, `"isolatedModules": false`);
    expect(packagesLoadedForKey(typeChecked)).toEqual(["ts-jest", "typescript"]);
  });

  it("leaves the transform itself to ts-jest", () => {
    const transformerConfig = { tsconfig: BASE_TSCONFIG };
    const { code } = createTransformer(transformerConfig).process(
      TEXT,
      FILE,
      transformOptions(one, transformerConfig),
    );
    expect(code).toMatch(/exports\.answer = 42;/);
  });
});
