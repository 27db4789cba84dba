// A clock the test moves by hand, and a sleep that moves it instead of waiting.
export interface VirtualTime {
  now: () => number;
  /** Records the delay and advances the clock by it, at once. */
  sleep: (ms: number) => Promise<void>;
  /** Every delay passed to sleep, in order. */
  sleeps: number[];
  advance(ms: number): void;
}

export function virtualTime(start = Date.UTC(2030, 0, 1)): VirtualTime {
  let current = start;
  const sleeps: number[] = [];
  return {
    now: () => current,
    sleep: async (ms) => {
      sleeps.push(ms);
      current += ms;
    },
    sleeps,
    advance: (ms) => (current += ms),
  };
}
