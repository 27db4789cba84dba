// Signs webhook payloads the way the provider does: t=<unix seconds>,v1=HMAC-SHA256(secret, `${t}.${body}`).
import { createHmac } from "node:crypto";

export function signature(secret: string, timestamp: number, body: string | Buffer): string {
  return createHmac("sha256", secret).update(`${timestamp}.`).update(body).digest("hex");
}

/** A Stripe-Signature header value; `extra` adds more elements (other v1 values, v0, ...). */
export function signatureHeader(secret: string, timestamp: number, body: string | Buffer, extra: string[] = []): string {
  return [`t=${timestamp}`, `v1=${signature(secret, timestamp, body)}`, ...extra].join(",");
}

export interface PaymentSnapshot { id: string; amount: number; status: string; version: number }

/**
 * A payment event as raw JSON text, written the way a provider might: irregular spacing, an
 * escaped non-ASCII character, keys in an odd order and a trailing newline. Parsing and
 * re-serialising it gives different bytes.
 */
export function eventBody(eventId: string, type: string, payment: PaymentSnapshot, created = 1_700_000_000): string {
  return (
    `{ "type" : "${type}",  "id": "${eventId}", "created": ${created},\n` +
    `  "data": {"object": {"status": "${payment.status}", "id": "${payment.id}", ` +
    `"amount": ${payment.amount}, "version": ${payment.version}, "description": "caf\\u00e9 \\u2615"}}}\n`
  );
}
