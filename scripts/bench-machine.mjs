// `npm run bench:machine`: how fast this machine is right now, in the three costs that decide how
// long CI takes, so that figures taken at different hours can be compared (docs/performance.md,
// "How fast the machine is"). On the two-core CI machines nearly the same code has taken 680 s
// and 1,472 s, and a loop of additions alone did not tell those hours apart; whether the cost of
// a page fault does is what recording it with every CI run is for.
//   loop         a loop of 3e8 additions in one Node process: one core's speed
//   page fault   touching fresh memory, one 4 KiB page at a time (the kernel's fault, zeroing and,
//                in a virtual machine, the host's part): what every process pays for the memory
//                it uses, and Jest, Node and Postgres processes start by the hundred in a CI run
//   node start   `node -e 0`, one after another: a process's whole start
// Prints one line (with --markdown, a table); medians of --runs rounds.
// Usage: node scripts/bench-machine.mjs [--runs N] [--markdown]
import { spawnSync } from "node:child_process";
import { parseArgs } from "node:util";
import { median } from "./bench-stats.mjs";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "3" },
    markdown: { type: "boolean", default: false },
  },
});

/** Seconds of a loop of 3e8 additions, in a process of its own (a fresh JIT each round). */
function loopSeconds() {
  const script =
    "const t=performance.now();let s=0;for(let i=0;i<3e8;i++)s+=i;console.log(performance.now()-t)";
  return Number(run(["-e", script])) / 1000;
}

/** Microseconds a page fault costs: 256 MiB of fresh memory touched a page at a time. */
function pageFaultMicroseconds() {
  const script = `
    const pages = 65536, buffer = new ArrayBuffer(pages * 4096), view = new Uint8Array(buffer);
    const t = performance.now();
    for (let i = 0; i < view.length; i += 4096) view[i] = 1;
    console.log(((performance.now() - t) * 1000) / pages);`;
  return Number(run(["-e", script]));
}

/** Milliseconds of one `node -e 0`, the mean of 10 in a row. */
function nodeStartMilliseconds() {
  const started = performance.now();
  for (let i = 0; i < 10; i++) run(["-e", "0"]);
  return (performance.now() - started) / 10;
}

function run(args) {
  const result = spawnSync(process.execPath, args, { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`node ${args[0]} failed: ${result.stderr}`);
  return result.stdout.trim();
}

const rounds = { loop: [], fault: [], start: [] };
for (let i = 0; i < Number(values.runs); i++) {
  rounds.loop.push(loopSeconds());
  rounds.fault.push(pageFaultMicroseconds());
  rounds.start.push(nodeStartMilliseconds());
}
const loop = `${median(rounds.loop).toFixed(2)} s`;
const fault = `${median(rounds.fault).toFixed(1)} µs`;
const start = `${median(rounds.start).toFixed(0)} ms`;
if (values.markdown) {
  console.log("| loop of 3e8 additions | page fault | node start |");
  console.log("| --- | --- | --- |");
  console.log(`| ${loop} | ${fault} | ${start} |`);
} else {
  console.log(`machine: loop ${loop}, page fault ${fault}, node start ${start} (bench:machine)`);
}
