// Jest's transform for TypeScript: ts-jest, transpiling one file at a time (isolatedModules in
// the base tsconfig), under a cache key made only of what decides its output.
//
// ts-jest's own key hashes the whole Jest configuration, and the grader writes a different one for
// every run (the folder of the code under test, the planned test files, the configuration file's
// path, which sets Jest's `id`), so no transform was ever reused: every grading transpiled the
// testkit and its test files again, 2.5-4 s of CPU a Jest process (docs/performance.md).
// CommonJS because Jest loads transformers with require(), before any TypeScript transform exists.
const { createHash } = require("node:crypto");
const { TsJestTransformer } = require("ts-jest");

/** Bump when what this file passes to ts-jest changes the output for the same inputs. */
const KEY_VERSION = "1";

class StableKeyTsJestTransformer extends TsJestTransformer {
  /**
   * Jest's cache key for one file (Jest's `Transformer.getCacheKey`): a SHA-1 of the file's text
   * and path, ts-jest's `cacheSuffix` (TypeScript's and ts-jest's versions, the resolved compiler
   * options, ts-jest's options and AST transformers) and the caller's module support. A file
   * transpiled alone depends on nothing else, so two runs whose Jest configurations differ share
   * it. Without isolatedModules ts-jest type-checks across files: its own key then.
   * @param {string} fileContent
   * @param {string} filePath
   * @param {import("@jest/transform").TransformOptions} transformOptions
   * @returns {string}
   */
  getCacheKey(fileContent, filePath, transformOptions) {
    const configs = this._configsFor(transformOptions);
    if (!configs.isolatedModules || typeof configs.cacheSuffix !== "string")
      return super.getCacheKey(fileContent, filePath, transformOptions);
    return createHash("sha1")
      .update(`backend-sandbox ts-transformer ${KEY_VERSION}\0`)
      .update(`${configs.cacheSuffix}\0`)
      .update(`instrument:${Boolean(transformOptions.instrument)}\0`)
      .update(`supportsStaticESM:${Boolean(transformOptions.supportsStaticESM)}\0`)
      .update(`${filePath}\0`)
      .update(fileContent)
      .digest("hex");
  }

  /** @type {TsJestTransformer["getCacheKeyAsync"]} */
  async getCacheKeyAsync(fileContent, filePath, transformOptions) {
    return this.getCacheKey(fileContent, filePath, transformOptions);
  }
}

module.exports = {
  /** @param {ConstructorParameters<typeof TsJestTransformer>[0]} options ts-jest's options */
  createTransformer: (options) => new StableKeyTsJestTransformer(options),
};
