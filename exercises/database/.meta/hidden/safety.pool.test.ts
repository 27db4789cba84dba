import {
  because,
  eventually,
  seededRandom,
  startLearner,
  timed,
  useLearner,
  within,
} from "@backend-sandbox/testkit";
import type * as PoolModule from "#src/pool";
import type * as Report from "#src/report";
import type * as Search from "#src/search";
import type * as Transfers from "#src/transfers";
import { createAccounts } from "#support/create-accounts";
import { learnerPool, poolState } from "#support/learner-pool";
import { useMigratedDatabase } from "#support/use-migrated-database";

const learner = useLearner();
const services = useMigratedDatabase(learner);
const random = seededRandom();
const { createPool } = learner.module<typeof PoolModule>("pool");
const { transferReport } = learner.module<typeof Report>("report");
const { searchAccounts } = learner.module<typeof Search>("search");
const { transfer } = learner.module<typeof Transfers>("transfers");

/** A pg Pool of the learner's process as the test holds it: its methods, called remotely. */
interface RemotePool {
  connect(): Promise<{ release(): Promise<void> }>;
  query(text: string): Promise<unknown>;
  end(): Promise<void>;
}

describe("safety: a bounded pool, released on errors", () => {
  it("[R5.7] createPool bounds the pool, and a caller facing a busy pool fails within 2 s instead of hanging", async () => {
    // The pool and its clients stay in the learner's process; the test calls their methods.
    const pool = (await createPool(services.databaseUrl)) as unknown as RemotePool;
    const held: Array<{ release(): Promise<void> }> = [];
    try {
      const { max } = await poolState(learner, pool);
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
      await Promise.all(held.map((client) => client.release()));
      await pool.end();
    }
  });

  it("[R5.7] goes on when the server ends an idle connection, and serves the next query on a new one", async () => {
    // A process of its own: a crash here must not take the file's other tests with it.
    const own = await startLearner();
    const name = `pool-${random.token(8)}`;
    const url = new URL(services.databaseUrl);
    url.searchParams.set("application_name", name);
    const pool = (await own
      .module<typeof PoolModule>("pool")
      .createPool(url.toString())) as unknown as RemotePool;
    try {
      await pool.query("SELECT 1"); // one connection, idle in the pool afterwards
      const { rows } = await services.pg.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
        [name],
      );
      because(`expected the pool to hold one connection to end, found ${rows.length}`, () =>
        expect(rows.length).toBe(1),
      );
      // The pool drops the ended connection once it hears of it; a process without a listener
      // for the pool's "error" event ends instead, and the probe says "the code under test exited".
      await eventually(
        "the pool to drop the connection the server ended (the process still running)",
        () => own.field<number>(pool, "totalCount"),
        { until: (total) => total === 0 },
      );
      const after = await within(
        5000,
        "a query on the pool after its idle connection was ended",
        pool.query("SELECT 1").then(
          () => "answered",
          (e: unknown) => String(e),
        ),
      );
      because(`expected the next query to run on a new connection, got ${after}`, () =>
        expect(after).toBe("answered"),
      );
    } finally {
      await pool.end().catch(() => {});
    }
  });

  it("[R5.8] returns every connection after 60 failing calls, leaving none idle in a transaction", async () => {
    const pool = await learnerPool(learner, services.databaseUrl, {
      max: 2,
      connectionTimeoutMillis: 3000,
    });
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
    const state = await poolState(learner, pool);
    because(
      `expected no connection still checked out (total ${state.total}, idle ${state.idle}, waiting ${state.waiting})`,
      () =>
        expect({ idle: state.idle, waiting: state.waiting }).toEqual({
          idle: state.total,
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
