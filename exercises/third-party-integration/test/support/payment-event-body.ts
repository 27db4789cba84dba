// The payment data an event carries, and the event itself as the provider writes it.
export interface PaymentSnapshot {
  id: string;
  amount: number;
  status: string;
  version: number;
}

/**
 * A payment event as raw JSON text, written the way a provider might: irregular spacing, an
 * escaped non-ASCII character, keys in an odd order and a trailing newline. Parsing and
 * re-serialising it gives different bytes.
 */
export function eventBody(
  eventId: string,
  type: string,
  payment: PaymentSnapshot,
  created = 1_700_000_000,
): string {
  return (
    `{ "type" : "${type}",  "id": "${eventId}", "created": ${created},\n` +
    `  "data": {"object": {"status": "${payment.status}", "id": "${payment.id}", ` +
    `"amount": ${payment.amount}, "version": ${payment.version}, "description": "caf\\u00e9 \\u2615"}}}\n`
  );
}
