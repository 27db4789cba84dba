// The fulfilment tables, made with the learner's migrate (schema.ts), and what the tests read there.
import type { Pool } from "pg";
import { pgPool, type FileLearner, type LearnerProcess } from "@backend-sandbox/testkit";
import type * as Schema from "#src/schema";
import type { OrderEvent } from "#src/types";

export async function migrate(
  learner: Pick<FileLearner | LearnerProcess, "module">,
  databaseUrl: string,
) {
  await learner.module<typeof Schema>("schema").migrate(pgPool(databaseUrl));
}

export interface Fulfilled {
  version: number;
  units: number;
  applied: number[];
}

/** The fulfilment rows of these events' orders, by order id. */
export async function fulfilled(pg: Pool, events: OrderEvent[]): Promise<Map<string, Fulfilled>> {
  const ids = [...new Set(events.map((e) => e.aggregateId))];
  const { rows } = await pg.query<Fulfilled & { order_id: string }>(
    "SELECT order_id, version, units, applied FROM fulfilment WHERE order_id = ANY($1)",
    [ids],
  );
  return new Map(rows.map(({ order_id, ...row }) => [order_id, row]));
}

/** Units and applications over these events' orders: what exactly-once makes equal to the events'. */
export async function appliedTotals(pg: Pool, events: OrderEvent[]) {
  const rows = [...(await fulfilled(pg, events)).values()];
  return {
    orders: rows.length,
    units: rows.reduce((sum, r) => sum + r.units, 0),
    applications: rows.reduce((sum, r) => sum + r.applied.length, 0),
  };
}

/**
 * Makes Postgres reject every write to the fulfilment row of an order whose id is in
 * `rejected_orders` (a trigger of the test's own): the failure of the effect, on demand.
 */
export async function installRejections(pg: Pool): Promise<{
  reject(orderId: string): Promise<void>;
  allow(orderId: string): Promise<void>;
  /** How many writes were refused since installRejections. */
  refused(): Promise<number>;
}> {
  // A sequence counts the refusals: nextval is never rolled back, though the refused write is.
  await pg.query(`
    CREATE TABLE IF NOT EXISTS rejected_orders (order_id text PRIMARY KEY);
    DROP SEQUENCE IF EXISTS refused_writes;
    CREATE SEQUENCE refused_writes;
    CREATE OR REPLACE FUNCTION reject_marked_orders() RETURNS trigger AS $$
    BEGIN
      IF EXISTS (SELECT 1 FROM rejected_orders WHERE order_id = NEW.order_id) THEN
        PERFORM nextval('refused_writes');
        RAISE EXCEPTION 'order % is rejected by the test', NEW.order_id;
      END IF;
      RETURN NEW;
    END $$ LANGUAGE plpgsql;
    DROP TRIGGER IF EXISTS reject_marked_orders ON fulfilment;
    CREATE TRIGGER reject_marked_orders BEFORE INSERT OR UPDATE ON fulfilment
      FOR EACH ROW EXECUTE FUNCTION reject_marked_orders();`);
  return {
    reject: async (orderId) =>
      void (await pg.query("INSERT INTO rejected_orders VALUES ($1) ON CONFLICT DO NOTHING", [
        orderId,
      ])),
    allow: async (orderId) =>
      void (await pg.query("DELETE FROM rejected_orders WHERE order_id = $1", [orderId])),
    refused: async () => {
      const { rows } = await pg.query<{ n: string }>(
        "SELECT CASE WHEN is_called THEN last_value ELSE 0 END AS n FROM refused_writes",
      );
      return Number(rows[0]!.n);
    },
  };
}

/**
 * Locks the fulfilment table (`LOCK TABLE ... IN EXCLUSIVE MODE`) in a transaction of the test's
 * own: every write to it, the effect of any event, waits in Postgres until `release()`.
 * `waiting()` counts the other sessions of this database waiting on a lock: statements in flight.
 */
export async function lockFulfilment(pg: Pool): Promise<{
  waiting(): Promise<number>;
  release(): Promise<void>;
}> {
  const client = await pg.connect();
  await client.query("BEGIN");
  await client.query("LOCK TABLE fulfilment IN EXCLUSIVE MODE");
  const { rows } = await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
  return {
    waiting: async () => {
      const { rows: counted } = await pg.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> $1`,
        [rows[0]!.pid],
      );
      return counted[0]!.n;
    },
    release: async () => {
      try {
        await client.query("COMMIT");
      } finally {
        client.release();
      }
    },
  };
}
