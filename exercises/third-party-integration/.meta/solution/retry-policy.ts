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

// The three forms of an HTTP-date (RFC 9110 §5.6.7): IMF-fixdate, and the obsolete RFC 850 and
// asctime forms a recipient must still accept. Only these reach Date.parse, which reads far more:
// to V8, "2", "-5" and "1.5" are dates in 2001, and "2026" is New Year's Day.
const IMF_FIXDATE = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/; // Sun, 06 Nov 1994 08:49:37 GMT
const RFC_850_DATE = /^[A-Z][a-z]{5,8}, \d{2}-[A-Z][a-z]{2}-\d{2} \d{2}:\d{2}:\d{2} GMT$/; // Sunday, 06-Nov-94 08:49:37 GMT
const ASCTIME_DATE = /^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$/; // Sun Nov  6 08:49:37 1994

/** An HTTP-date in ms since the epoch, or NaN if `text` is none. */
function parseHttpDate(text: string): number {
  if (IMF_FIXDATE.test(text) || RFC_850_DATE.test(text)) return Date.parse(text);
  // asctime names no zone: an HTTP-date is always UTC, where Date.parse would read local time.
  if (ASCTIME_DATE.test(text)) return Date.parse(`${text} GMT`);
  return NaN;
}

/** Retry-After in either form of RFC 9110 §10.2.3: delay-seconds, or an HTTP-date (relative to `nowMs`). */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null) return undefined;
  // Stryker disable next-line MethodExpression: equivalent, fetch's Headers strip a value's leading and trailing whitespace
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = parseHttpDate(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/** Statuses worth another attempt: the provider may answer differently next time. Other 4xx never will. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}
