// Verifies a Stripe-style webhook signature: `Stripe-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>...]`,
// v1 = lowercase hex HMAC-SHA256(secret, `${t}.${rawBody}`). Mirrors stripe-node's Webhooks.ts.
import { createHmac, timingSafeEqual } from "node:crypto";

/** Seconds a signed timestamp may be away from our clock, in either direction (replay window). */
export const TOLERANCE_SECONDS = 300;

export class WebhookSignatureError extends Error {
  // Stryker disable next-line StringLiteral: equivalent, the app tells this error by instanceof; its name is never shown
  override name = "WebhookSignatureError";
}

export function verifySignature(
  rawBody: Buffer,
  header: string | undefined,
  secret: string,
  nowMs: number,
): void {
  // Stryker disable next-line StringLiteral: prose, no rule words the 400's detail
  if (!header) throw new WebhookSignatureError("missing Stripe-Signature header");
  const timestamps: string[] = [];
  // Stryker disable next-line ArrayDeclaration: equivalent, a made-up candidate is no 64-character hex, so it never matches (and "no v1" is a 400 either way)
  const candidates: string[] = [];
  for (const element of header.split(",")) {
    const [key, ...rest] = element.split("="); // as stripe-node: " v1" is another key
    const value = rest.join("=");
    if (key === "t") timestamps.push(value);
    else if (key === "v1") candidates.push(value); // several during a secret rotation; v0 and others are ignored
  }
  // Exactly one t: with two, which one was signed would depend on who parses the header.
  const [timestamp] = timestamps;
  if (timestamps.length !== 1 || !/^\d{1,12}$/.test(timestamp!))
    // Stryker disable next-line StringLiteral: prose, no rule words the 400's detail
    throw new WebhookSignatureError("expected one numeric t= in signature header");
  // Stryker disable next-line ConditionalExpression: equivalent, with no v1 none matches below: the same 400
  if (candidates.length === 0)
    // Stryker disable next-line StringLiteral,CallExpression: prose, no rule words the 400's detail; equivalent without the throw, as above
    throw new WebhookSignatureError("no v1 signature in signature header");
  if (Math.abs(Math.floor(nowMs / 1000) - Number(timestamp)) > TOLERANCE_SECONDS) {
    // Stryker disable next-line StringLiteral: prose, no rule words the 400's detail
    throw new WebhookSignatureError("timestamp outside the tolerance window");
  }
  // HMAC over the bytes as received: re-serialising parsed JSON would change them.
  const expected = Buffer.from(
    createHmac("sha256", secret).update(`${timestamp}.`).update(rawBody).digest("hex"),
  );
  // Constant-time compare, so response timing leaks nothing about how much of a guess was right.
  // timingSafeEqual throws on unequal lengths: a v1 of another length is simply a mismatch.
  // Every v1 is compared, even after one matched (stripe-node filters them all too): the work done
  // does not depend on where in the header the valid one stands.
  const matches = candidates.filter((candidate) => {
    const given = Buffer.from(candidate);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  // Stryker disable next-line StringLiteral: prose, no rule words the 400's detail
  if (matches.length === 0) throw new WebhookSignatureError("no v1 signature matches");
}
