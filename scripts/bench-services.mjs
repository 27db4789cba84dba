// `npm run bench`: wall time of one small Jest suite that uses Redis and Postgres, cold and warm,
// per service provider, beside the same suite with no services (the floor). Prints a Markdown
// table (median of --runs runs, min-max beside it) for docs/performance.md.
//   cold: Jest's transform cache cleared first (and, for native, the cached initdb template)
//   warm: run again right away, caches in place
// Usage: node scripts/bench-services.mjs [--runs N] [--providers floor,native,docker]
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "3" },
    providers: { type: "string", default: "floor,native,docker" },
  },
});
const runs = Number(values.runs);
const root = join(import.meta.dirname, "..");
const suite = join(root, "packages/testkit/bench/suite");
const jest = join(root, "node_modules/jest/bin/jest.js");
const cacheDirectory = join(root, ".sandbox/bench-jest-cache");

function runOnce(provider) {
  const env = { ...process.env, BENCH_FLOOR: provider === "floor" ? "1" : "0" };
  for (const name of [
    "SANDBOX_PROVIDER",
    "SANDBOX_REDIS_URL",
    "SANDBOX_DATABASE_URL",
    "SANDBOX_SERVICES",
  ])
    delete env[name];
  if (provider !== "floor") env.SANDBOX_SERVICES = provider;
  const started = performance.now();
  const result = spawnSync(
    process.execPath,
    [
      jest,
      "--config",
      join(suite, "jest.config.js"),
      "--cacheDirectory",
      cacheDirectory,
      "--silent",
    ],
    { env, encoding: "utf8" },
  );
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 0)
    throw new Error(`${provider} run failed:\n${result.stdout}${result.stderr}`);
  return seconds;
}

function clearCaches(provider) {
  rmSync(cacheDirectory, { recursive: true, force: true });
  if (provider === "native") {
    const cache = join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "backend-sandbox");
    for (const version of ["15", "16", "17", "local"])
      rmSync(join(cache, `pgdata-template-${version}`), { recursive: true, force: true });
  }
}

const summary = (times) => {
  const sorted = [...times].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  return `${median.toFixed(2)} s (${sorted[0].toFixed(2)}–${sorted.at(-1).toFixed(2)})`;
};

console.log(`| provider | cold | warm |\n| --- | --- | --- |`);
for (const provider of values.providers.split(",")) {
  const cold = [];
  const warm = [];
  for (let i = 0; i < runs; i++) {
    clearCaches(provider);
    cold.push(runOnce(provider));
    warm.push(runOnce(provider));
  }
  console.log(
    `| ${provider === "floor" ? "none (floor: Jest alone)" : provider} | ${summary(cold)} | ${summary(warm)} |`,
  );
}
console.log(`\n${runs} runs each; median (min–max) wall seconds; Node ${process.version}.`);
