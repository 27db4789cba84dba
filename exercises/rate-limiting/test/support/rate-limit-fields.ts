import type { HttpReply } from "@backend-sandbox/testkit";

/**
 * The RateLimit-Policy and RateLimit fields of draft-ietf-httpapi-ratelimit-headers (-08 and later):
 * `RateLimit-Policy: "name";q=10;w=60` and `RateLimit: "name";r=9;t=42`. Parsed as Structured Fields
 * allow (RFC 9651): spaces after ";" and parameters in any order. The first list member is read.
 */
export interface RateLimitFields {
  policy: { name: string; q?: number; w?: number };
  limit: { name: string; r?: number; t?: number };
}

const ITEM = /^\s*"((?:[^"\\]|\\.)*)"((?:\s*;\s*[a-z*][a-z0-9_.*-]*(?:=[^;,]*)?)*)\s*(?:,|$)/;

export function rateLimitFields(reply: HttpReply): RateLimitFields | undefined {
  const policy = parseItem(reply.headers.get("ratelimit-policy"));
  const limit = parseItem(reply.headers.get("ratelimit"));
  if (!policy || !limit) return undefined;
  return {
    policy: { name: policy.name, q: policy.params.q, w: policy.params.w },
    limit: { name: limit.name, r: limit.params.r, t: limit.params.t },
  };
}

function parseItem(
  value: string | null,
): { name: string; params: Record<string, number | undefined> } | undefined {
  const match = value === null ? null : ITEM.exec(value);
  if (!match) return undefined;
  const params: Record<string, number | undefined> = {};
  for (const part of match[2]!.split(";").slice(1)) {
    const [key, raw] = part.trim().split("=");
    // Integers only: the draft's q, w, r and t are sf-integers.
    params[key!] = raw !== undefined && /^-?\d+$/.test(raw.trim()) ? Number(raw.trim()) : undefined;
  }
  return { name: match[1]!.replace(/\\(.)/g, "$1"), params };
}
