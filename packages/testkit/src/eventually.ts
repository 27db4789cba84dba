import { ExpectationError } from "./expectations";

export interface EventuallyOptions<T> {
  /** How long to keep probing, in ms (default 5000). */
  timeoutMs?: number;
  /** Pause between probes, in ms (default 50). */
  intervalMs?: number;
  /** When a probed value is the one awaited (default: truthy). */
  until?: (value: T) => boolean;
}

/**
 * Probes until something asynchronous has happened: calls `probe` until `until(value)` holds and
 * returns that value. If it has not happened within `timeoutMs`, fails with "expected <what>
 * within <ms> ms" and the last value seen (or the probe's last error), never a bare timeout.
 */
export async function eventually<T>(
  what: string,
  probe: () => T | Promise<T>,
  { timeoutMs = 5000, intervalMs = 50, until = Boolean }: EventuallyOptions<T> = {},
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  let last: { value?: T; error?: unknown };
  for (;;) {
    try {
      const value = await probe();
      if (until(value)) return value;
      last = { value };
    } catch (error) {
      last = { error };
    }
    if (performance.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  const seen =
    "error" in last
      ? `the last probe threw: ${last.error instanceof Error ? last.error.message : String(last.error)}`
      : `last seen: ${describe(last.value)}`;
  throw new ExpectationError(`expected ${what} within ${timeoutMs} ms; ${seen}`);
}

function describe(value: unknown): string {
  try {
    return (JSON.stringify(value) ?? String(value)).slice(0, 300);
  } catch {
    return String(value);
  }
}
