import { manualClock } from "./manual-clock";

/** A `random()` (Math.random's shape) for the code under test, whose value the test sets. */
export interface FixedRandom {
  /** Pass this where the code under test takes `random`: it returns the value last set. */
  readonly draw: () => number;
  /** What every later draw returns, until set again; a number in [0, 1). */
  set(value: number): void;
}

const made = new WeakSet<() => number>();

/**
 * A `random` whose draws the test chooses. The code under test calls `random()` synchronously, in
 * its own process, where a function of the test would answer with a Promise; so the value crosses
 * as data: it rides on a manual clock, which the learner's process reads synchronously from a file
 * the test rewrites on every `set`.
 */
export function fixedRandom(value: number): FixedRandom {
  const source = manualClock(value);
  made.add(source.now);
  return { draw: source.now, set: (next) => source.set(next) };
}

/** Whether `random` can cross to the learner's process as a synchronous function (fixedRandom made it). */
export function isFixedRandom(random: () => number): boolean {
  return made.has(random);
}
