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
    if (fresh.rowCount === 0) {
      await client.query("ROLLBACK");
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
      await client.query("COMMIT"); // an old version under a new id: recorded, not applied
      return "skipped";
    }
    await applyEvent(client, event);
    await client.query("COMMIT");
    return "applied";
  } catch (error) {
    broken = error as Error;
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    client.off("error", ignore);
    client.release(broken); // a connection that failed mid-transaction is not reused
  }
}
