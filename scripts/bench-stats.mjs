// What every bench script prints of its rounds: the median, and the spread beside it.
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
