// Jest's transform for TypeScript: ts-jest, transpiling one file at a time (isolatedModules in
// the base tsconfig), under a cache key made only of what decides its output.
//
// ts-jest's own key hashes the whole Jest configuration, and the grader writes a different one for
// every run (the folder of the code under test, the planned test files, the configuration file's
// path, which sets Jest's `id`), so no transform was ever reused: every grading transpiled the
// testkit and its test files again, 2.5-4 s of CPU a Jest process (docs/performance.md).
//
// The key is computed without ts-jest, which loads only when a file is not in the cache: loading
// ts-jest and TypeScript to compute ts-jest's key cost every Jest process (and every worker) about
// half a second of CPU even when each of its files was cached (docs/performance.md).
// CommonJS because Jest loads transformers with require(), before any TypeScript transform exists.
const { createHash } = require("node:crypto");
const { readFileSync } = require("node:fs");

/** Bump when what this file passes to ts-jest changes the output for the same inputs. */
const KEY_VERSION = "2";

/**
 * What decides ts-jest's output besides the file itself, as text to hash, or undefined when it
 * cannot be read without ts-jest (a tsconfig given inline, searched for, or extending another,
 * whose resolution is TypeScript's): then ts-jest's own `cacheSuffix` is used.
 * ts-jest's `cacheSuffix` hashes TypeScript's version, ts-jest's digest (its installed code), the
 * resolved compiler options and ts-jest's options; here those are the versions, the digest, the
 * tsconfig file's text and the options as given.
 * @param {Record<string, unknown> | undefined} options ts-jest's options (the transform's second element)
 * @returns {string | undefined}
 */
function fingerprintWithoutTsJest(options) {
  const tsconfigPath = options?.tsconfig;
  if (typeof tsconfigPath !== "string") return undefined;
  let tsconfig;
  try {
    tsconfig = readFileSync(tsconfigPath, "utf8");
  } catch {
    return undefined; // ts-jest reports a missing tsconfig in its own words
  }
  const settings = withoutComments(tsconfig);
  if (/"extends"\s*:/.test(settings)) return undefined;
  // Without isolatedModules ts-jest type-checks across files, and only its own key is sound.
  if (options.isolatedModules !== true && !/"isolatedModules"\s*:\s*true\b/.test(settings))
    return undefined;
  const tsJestDir = require.resolve("ts-jest/package.json").replace(/package\.json$/, "");
  return [
    `typescript ${require("typescript/package.json").version}`,
    `ts-jest ${require("ts-jest/package.json").version}`,
    `ts-jest digest ${readFileSync(`${tsJestDir}.ts-jest-digest`, "utf8")}`,
    `options ${JSON.stringify(options)}`,
    `tsconfig ${tsconfig}`,
  ].join("\0");
}

/**
 * A tsconfig's text without its comments (tsconfig is JSON with comments), for the two settings
 * read above; a `//` inside a string may cut the rest of its line, which holds neither.
 * @param {string} text
 */
function withoutComments(text) {
  return text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|\s)\/\/.*$/gm, "$1");
}

class StableKeyTransformer {
  /** @param {Record<string, unknown> | undefined} options ts-jest's options */
  constructor(options) {
    this.options = options;
    /** What decides the output besides each file, read once; undefined: ask ts-jest. */
    this.fingerprint = fingerprintWithoutTsJest(options);
    /** @type {import("ts-jest").TsJestTransformer | undefined} */
    this.tsJest = undefined;
  }

  /** ts-jest's transformer, loaded on the first file not in the cache. */
  loadTsJest() {
    if (!this.tsJest) {
      const { TsJestTransformer } = require("ts-jest");
      this.tsJest = new TsJestTransformer(this.options);
    }
    return this.tsJest;
  }

  /**
   * ts-jest's transformer for a file not in the cache. A key made without ts-jest assumed
   * isolatedModules from the tsconfig's text: ts-jest's resolved settings must agree.
   * @param {import("@jest/transform").TransformOptions} transformOptions
   */
  tsJestFor(transformOptions) {
    const tsJest = this.loadTsJest();
    if (this.fingerprint && !tsJest._configsFor(transformOptions).isolatedModules)
      throw new Error(
        `ts-transformer.js read isolatedModules in ${this.options?.tsconfig}, but ts-jest resolved it to false`,
      );
    return tsJest;
  }

  /**
   * What decides a transform besides the file: fingerprintWithoutTsJest(), else ts-jest's
   * cacheSuffix (loading ts-jest); undefined without isolatedModules, where ts-jest type-checks
   * across files and only its own key is sound.
   * @param {import("@jest/transform").TransformOptions} transformOptions
   * @returns {string | undefined}
   */
  inputsBesidesFile(transformOptions) {
    const globalsTsJest = JSON.stringify(transformOptions.config.globals?.["ts-jest"] ?? null);
    if (this.fingerprint !== undefined) return `${this.fingerprint}\0globals ${globalsTsJest}`;
    const configs = this.loadTsJest()._configsFor(transformOptions);
    if (!configs.isolatedModules || typeof configs.cacheSuffix !== "string") return undefined;
    return `cacheSuffix ${configs.cacheSuffix}`;
  }

  /**
   * Jest's cache key for one file (Jest's `Transformer.getCacheKey`): a SHA-1 of the file's text
   * and path, what decides ts-jest's output besides it (inputsBesidesFile()), and the caller's
   * module support. A file transpiled alone depends on nothing else, so two runs whose Jest
   * configurations differ share it. Without isolatedModules: ts-jest's own key.
   * @param {string} fileContent
   * @param {string} filePath
   * @param {import("@jest/transform").TransformOptions} transformOptions
   * @returns {string}
   */
  getCacheKey(fileContent, filePath, transformOptions) {
    const inputs = this.inputsBesidesFile(transformOptions);
    if (inputs === undefined)
      return this.loadTsJest().getCacheKey(fileContent, filePath, transformOptions);
    return createHash("sha1")
      .update(`backend-sandbox ts-transformer ${KEY_VERSION}\0`)
      .update(`${inputs}\0`)
      .update(`instrument:${Boolean(transformOptions.instrument)}\0`)
      .update(`supportsStaticESM:${Boolean(transformOptions.supportsStaticESM)}\0`)
      .update(`${filePath}\0`)
      .update(fileContent)
      .digest("hex");
  }

  /** @type {StableKeyTransformer["getCacheKey"]} */
  async getCacheKeyAsync(fileContent, filePath, transformOptions) {
    return this.getCacheKey(fileContent, filePath, transformOptions);
  }

  /** ts-jest's `process`: a file not in the cache. */
  process(sourceText, sourcePath, transformOptions) {
    return this.tsJestFor(transformOptions).process(sourceText, sourcePath, transformOptions);
  }

  /** ts-jest's `processAsync`: a file not in the cache, under native ESM. */
  processAsync(sourceText, sourcePath, transformOptions) {
    return this.tsJestFor(transformOptions).processAsync(sourceText, sourcePath, transformOptions);
  }
}

module.exports = {
  /** @param {Record<string, unknown> | undefined} options ts-jest's options */
  createTransformer: (options) => new StableKeyTransformer(options),
};
