// What every bench script prints of its rounds: the median, and the spread beside it.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";

/** The median of a list of numbers (the upper one of an even count), as the bench tables give it. */
export const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];

/**
 * A table cell: the median and the min–max of `list`, with `digits` decimals and a unit after
 * the median, e.g. `12.3 s (11.9–13.0)`.
 */
export function spread(list, digits = 1, unit = "") {
  const fixed = (n) => n.toFixed(digits);
  return `${fixed(median(list))}${unit ? ` ${unit}` : ""} (${fixed(Math.min(...list))}–${fixed(Math.max(...list))})`;
}

/**
 * CPU-seconds (user + system) of this process's children that have ended, from /proc/self/stat
 * (cutime and cstime, in clock ticks of 1/100 s on Linux): the difference across a spawned
 * command is what it and its descendants spent, once each was waited for.
 */
export function childrenCpuSeconds() {
  const stat = readFileSync("/proc/self/stat", "utf8");
  // The fields after the command name in parentheses, which may itself hold spaces.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

/**
 * CPU-seconds the whole machine spent so far, all cores (user, nice, system, irq and softirq of
 * /proc/stat's first line, in ticks of 1/100 s): the difference across some work counts what
 * servers in containers spent for it too, so run it on an otherwise quiet machine.
 */
export function machineCpuSeconds() {
  const [user, nice, system, , , irq, softirq] = readFileSync("/proc/stat", "utf8")
    .split("\n")[0]
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  return (user + nice + system + irq + softirq) / 100;
}

/**
 * Runs a command to its end (spawnSync's `options`), and gives its wall seconds and the
 * CPU-seconds the whole machine spent meanwhile ({@link machineCpuSeconds}), with its output when
 * piped. Throws on a non-zero exit, naming `what` and the end of its output.
 */
export function measuredRun(what, file, args, options = {}) {
  const started = performance.now();
  const cpuBefore = machineCpuSeconds();
  const run = spawnSync(file, args, { encoding: "utf8", maxBuffer: 256 * 1024 * 1024, ...options });
  const seconds = (performance.now() - started) / 1000;
  const cpu = machineCpuSeconds() - cpuBefore;
  if (run.status !== 0) {
    const output = `${run.stdout ?? ""}${run.stderr ?? ""}`.slice(-4000);
    throw new Error(`${what} failed (exit ${run.status}):\n${output}`);
  }
  return { seconds, cpu, stdout: run.stdout, stderr: run.stderr };
}
