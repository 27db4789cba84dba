import type { HttpReply } from "@backend-sandbox/testkit";

/** The Retry-After value as a number if it is delay-seconds (RFC 9110 §10.2.3), else undefined. */
export function retryAfter(reply: HttpReply): number | undefined {
  const value = reply.headers.get("retry-after");
  return value !== null && /^\d+$/.test(value) ? Number(value) : undefined;
}
