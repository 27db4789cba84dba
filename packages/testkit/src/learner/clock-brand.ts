/** How a manual clock lets a learner's process follow it: its time now, and every later change. */
export interface ClockBrand {
  current(): number;
  watch(listener: (ms: number) => void): void;
}

/** Set on a manual clock's `now` and `date` functions, so they cross as a clock rather than a callback. */
export const CLOCK = Symbol.for("backend-sandbox.clock");
