// How long to wait before the next attempt: the provider's Retry-After when it sent one,
// otherwise exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff and Jitter").

/** Full jitter: uniform in [0, min(cap, base * 2^(retry - 1))), retry = 1 before the second attempt. */
export function backoffDelay(
  retry: number,
  baseMs: number,
  capMs: number,
  random: () => number,
): number {
  return random() * Math.min(capMs, baseMs * 2 ** (retry - 1));
}

/** Retry-After in either form of RFC 9110 §10.2.3: delay-seconds, or an HTTP-date (relative to `nowMs`). */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null) return undefined;
  // Stryker disable next-line MethodExpression: equivalent, fetch's Headers strip a value's leading and trailing whitespace
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/** Statuses worth another attempt: the provider may answer differently next time. Other 4xx never will. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}
