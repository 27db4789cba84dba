/**
 * Random test values from a seed, so that a failing run can be replayed: failure messages print
 * the seed, and SANDBOX_SEED=<seed> makes the next run draw the same values.
 */
export interface SeededRandom {
  readonly seed: number;
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max]. */
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  /** A lowercase alphanumeric string, e.g. for keys and ids. */
  token(length?: number): string;
}

export function seededRandom(seed = seedFromEnv()): SeededRandom {
  let state = seed >>> 0;
  // mulberry32: tiny, fast, and good enough for test data.
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  return {
    seed,
    next,
    int,
    pick: (items) => items[int(0, items.length - 1)]!,
    token: (length = 12) =>
      Array.from({ length }, () => alphabet[int(0, alphabet.length - 1)]).join(""),
  };
}

function seedFromEnv(): number {
  const fromEnv = Number(process.env.SANDBOX_SEED);
  return Number.isInteger(fromEnv) && process.env.SANDBOX_SEED
    ? fromEnv
    : Math.floor(Math.random() * 2 ** 31);
}
