// `npm run bench:ci-services`: what CI's two long steps spend with each service provider, side
// by side in one run (--runs rounds, Docker and native in turn), on a machine that has both (CI's):
//   packages   the packages' own tests (`turbo run test --filter=./packages/*`)
//   verify     `sandbox verify` of every exercise (or --exercises a,b)
// Wall seconds and the CPU-seconds of the whole machine (/proc/stat: Docker's engine, proxies and
// the servers in containers too), medians and min-max. Run it on an otherwise quiet machine, with
// CI=true as CI has it and the Docker engine running (scripts/start-docker.sh); for the offline
// images, SANDBOX_REDIS_IMAGE and SANDBOX_POSTGRES_IMAGE as .ci/run sets them.
// Usage: node scripts/bench-ci-services.mjs [--runs N] [--steps packages,verify] [--exercises a,b]
import { join } from "node:path";
import { parseArgs } from "node:util";
import { measuredRun, spread } from "./bench-stats.mjs";

const STEPS = ["packages", "verify"];
const PROVIDERS = ["docker", "native"];
const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "1" },
    steps: { type: "string", default: STEPS.join(",") },
    exercises: { type: "string" },
  },
});
const root = join(import.meta.dirname, "..");
const rounds = Number(values.runs);
if (!Number.isInteger(rounds) || rounds < 1) {
  console.error(`--runs ${values.runs}: not a whole number of rounds, 1 or more`);
  process.exit(2);
}
const steps = values.steps.split(",");
const unknown = steps.filter((step) => !STEPS.includes(step));
if (unknown.length > 0) {
  console.error(`--steps ${unknown.join(",")}: not one of ${STEPS.join(", ")}`);
  process.exit(2);
}

/** The command of one step, as `npm test` runs it. */
function command(step) {
  if (step === "packages") return ["npx", ["turbo", "run", "test", "--filter=./packages/*"]];
  const slugs = values.exercises?.split(",") ?? [];
  return [process.execPath, [join(root, "packages/grader/bin/sandbox.js"), "verify", ...slugs]];
}

/** Wall and machine CPU-seconds of one step with one provider; it must pass. */
function run(step, provider) {
  const [file, args] = command(step);
  const { seconds, cpu } = measuredRun(`${step} with SANDBOX_SERVICES=${provider}`, file, args, {
    cwd: root,
    env: { ...process.env, SANDBOX_SERVICES: provider },
  });
  console.error(`${step}, ${provider}: ${seconds.toFixed(1)} s, ${cpu.toFixed(0)} CPU-s`);
  return { seconds, cpu };
}

const measured = Object.fromEntries(
  steps.map((step) => [step, Object.fromEntries(PROVIDERS.map((p) => [p, []]))]),
);
// Docker first in odd rounds, native first in even ones, so a drifting machine weighs on both.
for (let round = 0; round < rounds; round++)
  for (const step of steps)
    for (const provider of round % 2 ? [...PROVIDERS].reverse() : PROVIDERS)
      measured[step][provider].push(run(step, provider));

console.log("| step | wall, docker | wall, native | CPU-s, docker | CPU-s, native |");
console.log("| --- | --- | --- | --- | --- |");
for (const step of steps) {
  const [docker, native] = PROVIDERS.map((p) => measured[step][p]);
  const wall = (runs) =>
    spread(
      runs.map((r) => r.seconds),
      1,
      "s",
    );
  const cpu = (runs) =>
    spread(
      runs.map((r) => r.cpu),
      0,
    );
  console.log(`| ${step} | ${wall(docker)} | ${wall(native)} | ${cpu(docker)} | ${cpu(native)} |`);
}
console.log(
  `\n${rounds} round(s), Docker and native in turn; medians (min-max); Node ${process.version}.`,
);
