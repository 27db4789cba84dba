// The provider signs each webhook: `Stripe-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>...]`.
// Keep the exported names and signatures.

/** Seconds a signed timestamp may be away from our clock, in either direction. */
export const TOLERANCE_SECONDS = 300;

export class WebhookSignatureError extends Error {
  override name = "WebhookSignatureError";
}

/** Throws WebhookSignatureError unless one v1 signature matches `rawBody`. */
export function verifySignature(
  rawBody: Buffer,
  header: string | undefined,
  secret: string,
  nowMs: number,
): void {
  void [rawBody, header, secret, nowMs];
  // TODO(webhooks): parse the header, check the timestamp window, compare the HMAC safely.
  throw new Error("not implemented: verifySignature");
}
