// `npm run bench:typecheck`: the whole checkout's typecheck, three ways side by side in one run
// (in turn, --runs rounds):
//   a tsc a package     `turbo run typecheck --force`: each workspace's `tsc -p`, ten processes
//                       at once (`npm run typecheck` until 2026-12-03)
//   one tsc --build     `npm run typecheck -- --force`: one process checks every project, and
//                       parses a declaration file (@types/node, express, jest) once for all of
//                       them; what CI's fresh clone pays
//   nothing changed     `npm run typecheck` again: the build info of the run before says every
//                       project is up to date (a maintainer's second run)
// Wall seconds and CPU-seconds (the commands and everything they started), median and min–max.
// Usage: node scripts/bench-typecheck.mjs [--runs N]
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { childrenCpuSeconds, spread } from "./bench-stats.mjs";

const { values } = parseArgs({ options: { runs: { type: "string", default: "3" } } });
const root = join(import.meta.dirname, "..");

const ways = [
  { name: "a tsc a package (turbo)", command: ["npx", "turbo", "run", "typecheck", "--force"] },
  { name: "one tsc --build, from nothing", command: ["npm", "run", "typecheck", "--", "--force"] },
  { name: "one tsc --build, nothing changed", command: ["npm", "run", "typecheck"] },
];

/** Runs a way's command to its end; its wall and CPU-seconds, or a thrown error naming it. */
function timed([command, ...args]) {
  const cpu = childrenCpuSeconds();
  const started = performance.now();
  const run = spawnSync(command, args, { cwd: root, encoding: "utf8" });
  if (run.status !== 0)
    throw new Error(
      `${command} ${args.join(" ")} exited ${run.status}: ${run.stdout.slice(-2000)}`,
    );
  return { wall: (performance.now() - started) / 1000, cpu: childrenCpuSeconds() - cpu };
}

const results = new Map(ways.map((way) => [way, []]));
for (let round = 0; round < Number(values.runs); round++)
  for (const way of ways) {
    const result = timed(way.command);
    results.get(way).push(result);
    console.error(`round ${round + 1}, ${way.name}: ${result.wall.toFixed(1)} s`);
  }

console.log(`\nthe typecheck of every package and exercise, ${values.runs} rounds, seconds:\n`);
console.log("| way | wall | CPU |");
console.log("| --- | --- | --- |");
for (const [way, list] of results)
  console.log(
    `| ${way.name} | ${spread(list.map((r) => r.wall))} | ${spread(list.map((r) => r.cpu))} |`,
  );
