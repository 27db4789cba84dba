// Applies a verified payment event to the payments and ledger_entries tables.
// Keep the exported names and signatures.
import type { Pool } from "pg";

export interface PaymentEvent {
  id: string;
  type: string; // "payment.succeeded" | "payment.failed" | "payment.refunded" | ...
  created: number;
  data: { object: { id: string; amount: number; status: string; version: number } };
}

export async function applyPaymentEvent(
  pg: Pool,
  event: PaymentEvent,
): Promise<"processed" | "duplicate"> {
  void [pg, event];
  // TODO(webhooks): upsert the event's snapshot into payments.
  // TODO(exactly-once-processing): the ledger entry, once per event id, even concurrently; newest version wins.
  throw new Error("not implemented: applyPaymentEvent");
}

export function isPaymentEvent(value: unknown): value is PaymentEvent {
  // TODO(webhooks): the event's shape (README R3.6).
  throw new Error("not implemented: isPaymentEvent");
}
