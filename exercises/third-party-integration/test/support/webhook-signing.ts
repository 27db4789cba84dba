// Signs webhook payloads the way the provider does: t=<unix seconds>,v1=HMAC-SHA256(secret, `${t}.${body}`).
import { createHmac } from "node:crypto";

export function signature(
  secret: string,
  timestamp: number | string,
  body: string | Buffer,
): string {
  return createHmac("sha256", secret).update(`${timestamp}.`).update(body).digest("hex");
}

/** A Stripe-Signature header value; `extra` adds more elements (other v1 values, v0, ...). */
export function signatureHeader(
  secret: string,
  timestamp: number,
  body: string | Buffer,
  extra: string[] = [],
): string {
  return [`t=${timestamp}`, `v1=${signature(secret, timestamp, body)}`, ...extra].join(",");
}
