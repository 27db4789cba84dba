import type { SeededRandom } from "@backend-sandbox/testkit";

/** A random instant in 2026-2027 where a window of `windowSeconds` starts (a multiple of it since the epoch). */
export function windowStart(random: SeededRandom, windowSeconds: number): number {
  const windowMs = windowSeconds * 1000;
  const someday = 1_767_225_600_000 + random.int(0, 365 * 86_400) * 1000;
  return someday - (someday % windowMs);
}
