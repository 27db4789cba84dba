// BENCH_FLOOR=1: the same file and transform with no global setup, i.e. what Jest costs alone.
const preset = require("../../jest-preset.js");
const floor = process.env.BENCH_FLOOR === "1";
module.exports = {
  ...preset,
  rootDir: __dirname,
  testMatch: ["<rootDir>/*.bench.ts"],
  globalSetup: floor ? undefined : preset.globalSetup,
  globalTeardown: floor ? undefined : preset.globalTeardown,
  setupFilesAfterEnv: floor ? [] : preset.setupFilesAfterEnv,
  reporters: ["default"],
};
