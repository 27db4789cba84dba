// Delivers outbox rows at least once. Several relays may run at the same time.
import type { Pool } from "pg";

export interface OutboxMessage {
  id: string;
  topic: string;
  payload: unknown;
}
export interface OutboxRelayOptions {
  pg: Pool;
  deliver: (message: OutboxMessage) => Promise<void>;
  batchSize?: number;
}
export interface OutboxRelay {
  /** Delivers up to batchSize pending rows, oldest first; resolves with how many were delivered. */
  runOnce(): Promise<number>;
}

export function createOutboxRelay({
  pg,
  deliver,
  batchSize = 10,
}: OutboxRelayOptions): OutboxRelay {
  return {
    async runOnce() {
      const client = await pg.connect();
      let broken: Error | undefined;
      try {
        await client.query("BEGIN");
        // The row locks last until COMMIT, after delivery. SKIP LOCKED lets other relays take other
        // rows instead of waiting or taking these twice. If this relay dies, its connection closes,
        // Postgres drops the locks and rolls back, and another relay delivers the rows again:
        // at least once, never lost. (ORDER BY outbox.id: a bare `id` would sort the text alias.)
        const { rows } = await client.query<OutboxMessage>(
          `SELECT id::text AS id, topic, payload FROM outbox WHERE delivered_at IS NULL
           ORDER BY outbox.id LIMIT $1 FOR UPDATE SKIP LOCKED`,
          [batchSize],
        );
        const delivered: string[] = [];
        for (const message of rows) {
          try {
            await deliver(message);
            delivered.push(message.id);
          } catch {
            // Left pending: a later run delivers it. Marking it first would lose it.
          }
        }
        await client.query("UPDATE outbox SET delivered_at = now() WHERE id = ANY($1::bigint[])", [
          delivered,
        ]);
        await client.query("COMMIT");
        return delivered.length;
      } catch (error) {
        broken = error as Error;
        // Stryker disable next-line StringLiteral: equivalent, the client is released with the error and destroyed, and Postgres rolls back a closed connection's transaction
        await client.query("ROLLBACK").catch(() => {});
        throw error;
      } finally {
        client.release(broken); // a connection that failed mid-transaction is not reused
      }
    },
  };
}
