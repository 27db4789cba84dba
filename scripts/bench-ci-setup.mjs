// `npm run bench:ci-setup`: what a bare CI machine pays before its first test needs a service,
// two ways side by side in one run (A B in turn, --runs rounds):
//   one after the other   scripts/build-service-images.sh, then the typecheck and lint (.ci/run
//                         until 2026-12-02)
//   beside the typecheck  the build at nice -10 while the typecheck and lint run (.ci/run now)
// Each build starts from nothing, as on a bare machine: its own cache folder (debootstrap
// downloads every package again) and its own image tags, removed afterwards, so the machine's
// images and cache are left alone. Needs root and a Docker engine, as the build does.
// Wall seconds until both are done, and the build's and the typecheck's own. Median and min-max.
// Usage: node scripts/bench-ci-setup.mjs [--runs N]
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { spread } from "./bench-stats.mjs";

const { values } = parseArgs({ options: { runs: { type: "string", default: "2" } } });
const root = join(import.meta.dirname, "..");
const tags = {
  SANDBOX_REDIS_IMAGE: "bench-ci-setup/redis:7",
  SANDBOX_POSTGRES_IMAGE: "bench-ci-setup/postgres:15",
};

/** Runs a command to its end; resolves to its wall seconds, rejects on a failure. */
function timed(command, args, env = process.env) {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("exit", (code) =>
      code === 0
        ? resolve((performance.now() - started) / 1000)
        : reject(new Error(`${command} ${args.join(" ")} exited ${code}: ${stderr.slice(-2000)}`)),
    );
  });
}

/** The service images from nothing, at a niceness: a cache folder and tags of its own. */
async function buildImages(nice) {
  const cache = mkdtempSync(join(tmpdir(), "bench-ci-setup-"));
  try {
    const env = { ...process.env, ...tags, XDG_CACHE_HOME: cache };
    return await timed(
      "nice",
      ["-n", String(nice), "scripts/build-service-images.sh", "--force"],
      env,
    );
  } finally {
    rmSync(cache, { recursive: true, force: true });
    spawnSync("docker", ["rmi", "-f", ...Object.values(tags)], { stdio: "ignore" });
  }
}

/** The typecheck (its build info ignored, as on a fresh clone) and lint, as `npm test` runs them first. */
async function typecheckAndLint() {
  return (
    (await timed("npm", ["run", "typecheck", "--", "--force"])) +
    (await timed("npm", ["run", "lint"]))
  );
}

const ways = [
  {
    name: "one after the other",
    async run() {
      const build = await buildImages(0);
      const checks = await typecheckAndLint();
      return { build, checks };
    },
  },
  {
    name: "beside the typecheck, build at nice -10",
    async run() {
      const [build, checks] = await Promise.all([buildImages(-10), typecheckAndLint()]);
      return { build, checks };
    },
  },
];

const results = new Map(ways.map((way) => [way, []]));
for (let round = 0; round < Number(values.runs); round++)
  for (const way of ways) {
    const started = performance.now();
    const { build, checks } = await way.run();
    const wall = (performance.now() - started) / 1000;
    results.get(way).push({ wall, build, checks });
    console.error(`round ${round + 1}, ${way.name}: ${wall.toFixed(1)} s`);
  }

const cell = (list) => spread(list, 1);
console.log(`\nimages from nothing, the typecheck and lint, ${values.runs} rounds, seconds:\n`);
console.log("| way | both done | the build | typecheck and lint |");
console.log("| --- | --- | --- | --- |");
for (const [way, list] of results)
  console.log(
    `| ${way.name} | ${cell(list.map((r) => r.wall))} | ${cell(list.map((r) => r.build))} | ${cell(list.map((r) => r.checks))} |`,
  );
