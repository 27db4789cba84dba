import { CLOCK, type ClockBrand } from "./learner/clock-brand";

/**
 * A clock the test moves by hand, for code that takes its time as an injected `now` (ms since
 * the Unix epoch), so a test about time never waits for it.
 */
export interface ManualClock {
  /** The current time in ms since the epoch: pass `clock.now` as the code's `now`. */
  readonly now: () => number;
  /** The current time as a Date, for code that takes `() => Date`. */
  readonly date: () => Date;
  /** Moves the clock forward by `ms` (negative moves it back, to test clocks that jump). */
  advance(ms: number): void;
  /** Sets the clock to `ms` since the epoch. */
  set(ms: number): void;
  /** A `sleep(ms)` to inject: records the delay and advances the clock by it, at once. */
  readonly sleep: (ms: number) => Promise<void>;
  /** Every delay passed to `sleep`, in order. */
  readonly sleeps: number[];
}

/**
 * A manual clock starting at `startMs` (default 2030-01-01T00:00:00Z). Passed to the learner's
 * process, `now` and `date` cross as a clock that process reads from a file this one rewrites on
 * every change (learner/clock-brand.ts), so they stay synchronous there; `sleep` crosses as a callback.
 */
export function manualClock(startMs = Date.UTC(2030, 0, 1)): ManualClock {
  let current = startMs;
  const sleeps: number[] = [];
  const watchers: Array<(ms: number) => void> = [];
  const moveTo = (ms: number) => {
    current = ms;
    for (const watch of watchers) watch(current);
  };
  const brand: ClockBrand = {
    current: () => current,
    watch: (listener) => watchers.push(listener),
  };
  const now = Object.assign(() => current, { [CLOCK]: { clock: brand, as: "ms" } });
  const date = Object.assign(() => new Date(current), { [CLOCK]: { clock: brand, as: "date" } });
  return {
    now,
    date,
    advance: (ms) => moveTo(current + ms),
    set: (ms) => moveTo(ms),
    sleep: async (ms) => {
      sleeps.push(ms);
      moveTo(current + ms);
    },
    sleeps,
  };
}
