import { manualClock } from "@backend-sandbox/testkit";

/** A `random` for createApp whose value the test sets. */
export interface FixedRandom {
  /** Pass this as the app's `random`: it returns the value last set. */
  readonly draw: () => number;
  /** What every later draw returns, until set again. */
  set(value: number): void;
}

const made = new WeakSet<() => number>();

/**
 * The app calls `random()` synchronously, in its own process, where a function of the test would
 * answer with a Promise. So the value crosses as data: it rides on the testkit's manual clock,
 * which the app's process reads synchronously from a file the test rewrites on every `set`.
 */
export function fixedRandom(value: number): FixedRandom {
  const source = manualClock(value);
  made.add(source.now);
  return { draw: source.now, set: (next) => source.set(next) };
}

/** Whether `random` can cross to the app's process (it was made by fixedRandom). */
export function isFixedRandom(random: () => number): boolean {
  return made.has(random);
}
