// When and how long to wait before another attempt. Keep the exported signatures.

/** The wait before retry number `retry` (1 = before the second attempt). */
export function backoffDelay(
  retry: number,
  baseMs: number,
  capMs: number,
  random: () => number,
): number {
  void [retry, baseMs, capMs, random];
  // TODO(retries): exponential backoff with full jitter, capped.
  throw new Error("not implemented: backoffDelay");
}

/** The Retry-After header in milliseconds, or undefined if absent or unreadable. */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  void [value, nowMs];
  throw new Error("not implemented: parseRetryAfter");
}

export function isRetryableStatus(status: number): boolean {
  throw new Error("not implemented: isRetryableStatus");
}
