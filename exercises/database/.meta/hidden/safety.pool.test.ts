import { because, seededRandom, timed, within } from "@backend-sandbox/testkit";
import type { PoolClient } from "pg";
import { createPool } from "#src/pool";
import { transferReport } from "#src/report";
import { searchAccounts } from "#src/search";
import { transfer } from "#src/transfers";
import { createAccounts } from "#support/create-accounts";
import { useMigratedDatabase } from "#support/use-migrated-database";

const services = useMigratedDatabase();
const random = seededRandom();

describe("safety: a bounded pool, released on errors", () => {
  it("[R5.7] createPool bounds the pool, and a caller facing a busy pool fails within 2 s instead of hanging", async () => {
    const pool = createPool(services.databaseUrl);
    const held: PoolClient[] = [];
    try {
      const max = (pool as unknown as { options: { max: number } }).options.max;
      because(`expected createPool to set max between 2 and 20, it is ${max}`, () =>
        expect(max >= 2 && max <= 20).toBe(true),
      );
      for (let i = 0; i < max; i++) held.push(await pool.connect());
      const { value: outcome, ms } = await timed(() =>
        within(
          6000,
          "a query on the exhausted pool to fail",
          pool.query("SELECT 1").then(
            () => "answered",
            () => "failed",
          ),
        ),
      );
      because(
        `expected a query on an exhausted pool to fail fast, it ${outcome} after ${Math.round(ms)} ms`,
        () => expect({ outcome, fast: ms < 2500 }).toEqual({ outcome: "failed", fast: true }),
      );
    } finally {
      held.forEach((client) => client.release());
      await pool.end();
    }
  });

  it("[R5.8] returns every connection after 60 failing calls, leaving none idle in a transaction", async () => {
    const pool = services.newPool({ max: 2, connectionTimeoutMillis: 3000 });
    const [a, b] = await createAccounts(services.pg, [random.int(1, 50), 0], random);
    const failures = [
      () => transfer(pool, { from: a!, to: b!, amount: 1_000 }), // insufficient funds
      () => transfer(pool, { from: a!, to: 700_000_000 + random.int(0, 999), amount: 1 }), // missing account
      () => searchAccounts(pool, { sort: "nope" }),
      () => transferReport(pool, { timeoutMs: 50 }), // times out: the table is locked meanwhile
    ];
    const blocker = await services.pg.connect();
    try {
      for (let i = 0; i < 60; i++) {
        const kind = i % 4;
        if (kind === 3) await blocker.query("BEGIN; LOCK TABLE transfers IN ACCESS EXCLUSIVE MODE");
        const outcome = await within(
          5000,
          `failing call #${i + 1} to settle`,
          failures[kind]!().then(
            () => "succeeded",
            () => "failed",
          ),
        );
        if (kind === 3) await blocker.query("ROLLBACK");
        because(`expected failing call #${i + 1} to fail`, () => expect(outcome).toBe("failed"));
      }
    } finally {
      await blocker.query("ROLLBACK");
      blocker.release();
    }
    because(
      `expected no connection still checked out (total ${pool.totalCount}, idle ${pool.idleCount}, waiting ${pool.waitingCount})`,
      () =>
        expect({ idle: pool.idleCount, waiting: pool.waitingCount }).toEqual({
          idle: pool.totalCount,
          waiting: 0,
        }),
    );
    const { rows } = await services.pg.query(
      "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'",
    );
    because("expected no session left idle in a transaction", () =>
      expect(Number(rows[0].n)).toBe(0),
    );
    await within(
      5000,
      "a transfer to succeed on the same pool afterwards",
      transfer(pool, { from: a!, to: b!, amount: 1 }),
    );
  }, 40_000);
});
