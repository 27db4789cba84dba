// HS256 bearer tokens: a JWT (RFC 7519) in JWS compact form (RFC 7515), checked with node:crypto.
import { createHmac, timingSafeEqual } from "node:crypto";

/** Why a token was refused; the gateway answers 401 invalid_token (RFC 6750 §3.1). */
export class InvalidToken extends Error {}

export interface JwtSettings {
  /** The HMAC key (the configured secret's UTF-8 bytes). */
  key: Buffer;
  leewaySeconds: number;
  /** Milliseconds since the epoch. */
  now: () => number;
}

// NumericDate is seconds (RFC 7519 §2). A value from the year 2286 on is almost surely an issuer
// writing milliseconds, which would make the token valid for millennia: refuse it, do not guess.
const MAX_NUMERIC_DATE = 1e10;

/**
 * The token's subject, if `token` is an HS256 JWS signed with `key` whose `exp` (required) and
 * `nbf` (optional) hold at `now()`, give or take `leewaySeconds`. Throws InvalidToken otherwise.
 */
export function verifyJwt(token: string, { key, leewaySeconds, now }: JwtSettings): string {
  const segments = token.split(".");
  if (segments.length !== 3) throw new InvalidToken("a JWS has three segments");
  const [header64, payload64, signature64] = segments as [string, string, string];

  // RFC 8725 §3.1: the algorithm is our choice, never the token's. Trusting `alg` lets anyone pick
  // "none" (no signature at all) or an algorithm the key was never meant for (CVE-2015-9235).
  const header = jsonSegment(header64);
  if (header.alg !== "HS256") throw new InvalidToken("only HS256 tokens are accepted");
  // RFC 7515 §4.1.11: extensions listed in `crit` must be understood; this gateway knows none.
  if (header.crit !== undefined) throw new InvalidToken("unsupported critical header");

  // The MAC covers the segments exactly as sent. timingSafeEqual takes as long whatever the
  // first differing byte, so response times do not leak the expected signature byte by byte; it
  // throws on unequal lengths, and a length tells an attacker nothing, so that is checked first.
  const expected = createHmac("sha256", key).update(`${header64}.${payload64}`).digest();
  const signature = decodeSegment(signature64);
  if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) {
    throw new InvalidToken("bad signature");
  }

  const claims = jsonSegment(payload64);
  const exp = numericDate(claims.exp, "exp");
  const nbf = numericDate(claims.nbf, "nbf");
  const seconds = now() / 1000;
  if (exp === undefined) throw new InvalidToken("exp is required");
  // RFC 7519 §4.1.4: "the current date/time MUST be before the expiration date/time".
  if (seconds >= exp + leewaySeconds) throw new InvalidToken("token expired");
  // Stryker disable next-line ConditionalExpression: without nbf, `seconds < undefined - leeway` compares with NaN, which is false: the token is refused or accepted exactly as before
  if (nbf !== undefined && seconds < nbf - leewaySeconds) throw new InvalidToken("not yet valid");
  if (typeof claims.sub !== "string" || !claims.sub) throw new InvalidToken("sub is required");
  return claims.sub;
}

/**
 * Strict base64url (RFC 7515 §2): no padding, nothing outside the alphabet. Buffer.from skips
 * characters it does not know and accepts "=", so several strings would decode to the same
 * bytes; a segment must be exactly what its bytes encode to.
 */
function decodeSegment(segment: string): Buffer {
  const bytes = Buffer.from(segment, "base64url");
  if (bytes.toString("base64url") !== segment) throw new InvalidToken("segment is not base64url");
  return bytes;
}

function jsonSegment(segment: string): Record<string, unknown> {
  const text = decodeSegment(segment).toString("utf8");
  try {
    const value: unknown = JSON.parse(text);
    // Stryker disable next-line ConditionalExpression: a number, string or boolean segment then passes as an object, but has no alg, exp or sub: refused by the next check, the same 401
    if (typeof value === "object" && value !== null && !Array.isArray(value)) {
      return value as Record<string, unknown>;
    }
  } catch {
    // Not JSON at all: refused below, as any other value that is not an object.
  }
  throw new InvalidToken("segment is not a JSON object");
}

function numericDate(value: unknown, claim: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "number" && value >= 0 && value < MAX_NUMERIC_DATE) return value;
  throw new InvalidToken(`${claim} is not a NumericDate in seconds`);
}
