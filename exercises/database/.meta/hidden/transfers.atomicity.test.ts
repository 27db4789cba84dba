import { because, eventually, seededRandom, useLearner, within } from "@backend-sandbox/testkit";
import type * as Transfers from "#src/transfers";
import type { TransferRequest } from "#src/transfers";
import { balances } from "#support/balances";
import { createAccounts } from "#support/create-accounts";
import { learnerPool, poolState, useAppPool } from "#support/learner-pool";
import { startQueryProxy } from "#support/query-proxy";
import { useMigratedDatabase } from "#support/use-migrated-database";

const learner = useLearner();
const services = useMigratedDatabase(learner);
const appPool = useAppPool(learner, services);
const random = seededRandom();
const { transfer } = learner.module<typeof Transfers>("transfers");
/** The `name` of a thrown error (the errors.ts classes set it), or what was seen instead. */
const errorName = (error: unknown) =>
  error instanceof Error ? error.name : `no error: ${JSON.stringify(error)}`;

/** What the database holds about these accounts: balances, transfers and entries touching them. */
async function snapshot(ids: number[]) {
  const { rows } = await services.pg.query(
    `SELECT (SELECT count(*) FROM transfers WHERE from_account_id = ANY($1::bigint[]) OR to_account_id = ANY($1::bigint[])) AS transfers,
            (SELECT count(*) FROM entries WHERE account_id = ANY($1::bigint[])) AS entries`,
    [ids],
  );
  return {
    balances: await balances(services.pg, ids),
    transfers: Number(rows[0].transfers),
    entries: Number(rows[0].entries),
  };
}

async function rejection(request: TransferRequest): Promise<unknown> {
  return transfer(await appPool(), request).then(
    () => "no error: the transfer succeeded",
    (error: unknown) => error,
  );
}

describe("transfers are all or nothing", () => {
  it("[R2.1] returns the transfer as stored, and dates both entries with the transfer's created_at", async () => {
    const [a, b] = await createAccounts(services.pg, [random.int(100, 900), 0], random);
    const amount = random.int(1, 99);
    const done = await transfer(await appPool(), { from: a!, to: b!, amount });
    const { rows } = await services.pg.query(
      `SELECT t.created_at, e.account_id, e.amount, e.created_at = t.created_at AS same_instant
         FROM transfers t JOIN entries e ON e.transfer_id = t.id WHERE t.id = $1 ORDER BY e.amount`,
      [done.id],
    );
    because(`expected transfer ${done.id} to resolve as stored (seed ${random.seed})`, () =>
      expect(done).toEqual({
        id: done.id,
        reference: null,
        fromAccountId: a,
        toAccountId: b,
        amount,
        createdAt: rows[0]?.created_at,
      }),
    );
    because(
      "expected two entries, -amount on the sender and +amount on the receiver, at the transfer's created_at",
      () =>
        expect(rows.map((r) => [Number(r.account_id), Number(r.amount), r.same_instant])).toEqual([
          [a, -amount, true],
          [b, amount, true],
        ]),
    );
  });

  it("[R2.2] refuses invalid requests with ValidationError and writes nothing", async () => {
    const [a, b] = await createAccounts(services.pg, [100, 100], random);
    const before = await snapshot([a!, b!]);
    for (const amount of [0, -5, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
      const error = await rejection({ from: a!, to: b!, amount });
      because(
        `expected amount ${amount} to be refused with ValidationError, got ${String(error)}`,
        () => expect(errorName(error)).toBe("ValidationError"),
      );
    }
    for (const [from, to] of [
      [a! + 0.5, b!],
      [a!, String(b)],
      [Number.NaN, b!],
      [a!, 2 ** 53],
    ] as [number, number][]) {
      const error = await rejection({ from, to, amount: 5 });
      because(
        `expected account ids ${String(from)} and ${JSON.stringify(to)} to be refused with ValidationError, got ${String(error)}`,
        () => expect(errorName(error)).toBe("ValidationError"),
      );
    }
    const self = await rejection({ from: a!, to: a!, amount: 5 });
    because(
      `expected a transfer to the same account to be refused with ValidationError, got ${String(self)}`,
      () => expect(errorName(self)).toBe("ValidationError"),
    );
    expect(await snapshot([a!, b!])).toEqual(before);
  });

  it("[R2.3] refuses a transfer to or from a missing account with NotFoundError and writes nothing", async () => {
    const [a] = await createAccounts(services.pg, [100], random);
    const missing = 800_000_000 + random.int(0, 99_999);
    const before = await snapshot([a!]);
    for (const request of [
      { from: a!, to: missing, amount: 10 },
      { from: missing, to: a!, amount: 10 },
    ]) {
      const error = await rejection(request);
      because(
        `expected ${JSON.stringify(request)} to fail with NotFoundError, got ${String(error)} (seed ${random.seed})`,
        () => expect(errorName(error)).toBe("NotFoundError"),
      );
    }
    expect(await snapshot([a!])).toEqual(before);
  });

  it("[R2.4] refuses an overdraft with InsufficientFundsError and leaves no transfer or entry behind", async () => {
    const balance = random.int(10, 500);
    const [a, b] = await createAccounts(services.pg, [balance, 0], random);
    const error = await rejection({ from: a!, to: b!, amount: balance + 1 });
    because(
      `expected moving ${balance + 1} out of ${balance} to fail with InsufficientFundsError, got ${String(error)}`,
      () => expect(errorName(error)).toBe("InsufficientFundsError"),
    );
    expect(await snapshot([a!, b!])).toEqual({ balances: [balance, 0], transfers: 0, entries: 0 });
    await transfer(await appPool(), { from: a!, to: b!, amount: balance }); // the whole balance is allowed
    expect(await balances(services.pg, [a!, b!])).toEqual([0, balance]);
  });

  it("[R2.5] never leaves a half-done transfer when the connection drops at any step", async () => {
    const [a, b] = await createAccounts(services.pg, [1_000, 0], random);
    // One pool reaches Postgres through a proxy that makes the n-th query of each step fail
    // without reaching Postgres (the connection itself stays open, its transaction too).
    let failAt = 0;
    let firstOfStep = 0;
    const spy = await startQueryProxy(services.databaseUrl, {
      fail: (_query, n) => n === firstOfStep + failAt,
    });
    const pool = await learnerPool(learner, spy.url, { max: 3 });
    for (let step = 1; step <= 12; step++) {
      failAt = step;
      firstOfStep = spy.queries.length;
      const amount = random.int(1, 20);
      const before = await snapshot([a!, b!]);
      const ok = await within(
        5000,
        `transfer with query ${step} failing to settle`,
        transfer(pool, { from: a!, to: b!, amount }).then(
          () => true,
          () => false,
        ),
      );
      const after = await snapshot([a!, b!]);
      const expected = ok
        ? {
            balances: [before.balances[0]! - amount, before.balances[1]! + amount],
            transfers: before.transfers + 1,
            entries: before.entries + 2,
          }
        : before;
      because(
        `expected a transfer whose query #${step} (${spy.queries[firstOfStep + step - 1]?.text.trim().slice(0, 60)}) failed to be applied fully or not at all`,
        () => expect(after).toEqual(expected),
      );
      if (ok && spy.queries.length - firstOfStep < step) break; // every step of the transfer has been tried
    }
    const state = await poolState(learner, pool);
    because("expected every connection to be back in the pool after the failures", () =>
      expect({ idle: state.idle, waiting: state.waiting }).toEqual({
        idle: state.total,
        waiting: 0,
      }),
    );
  });

  it("[R2.5] never reuses a connection whose ROLLBACK failed too: its transaction may still be open", async () => {
    const [a, b] = await createAccounts(services.pg, [1_000, 0], random);
    // Query n of each step fails, and so does the one after it (the ROLLBACK, when n was inside
    // the transaction), both without reaching Postgres: the server still holds the transaction
    // open, with whatever it had done and its row locks. Only closing the connection ends it.
    let failAt = 0;
    let firstOfStep = 0;
    const spy = await startQueryProxy(services.databaseUrl, {
      fail: (_query, n) => n === firstOfStep + failAt || n === firstOfStep + failAt + 1,
    });
    // No idle timeout: a connection given back stays open, with whatever its session holds.
    const pool = await learnerPool(learner, spy.url, { max: 3, idleTimeoutMillis: 0 });
    const openTransactions = async () =>
      Number(
        (
          await services.pg.query(
            "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'",
          )
        ).rows[0].n,
      );
    for (let step = 1; step <= 12; step++) {
      failAt = step;
      firstOfStep = spy.queries.length;
      const amount = random.int(1, 20);
      const before = await snapshot([a!, b!]);
      const ok = await within(
        5000,
        `transfer with queries ${step} and ${step + 1} failing to settle`,
        transfer(pool, { from: a!, to: b!, amount }).then(
          () => true,
          () => false,
        ),
      );
      const failed = spy.queries[firstOfStep + step - 1]?.text.trim().slice(0, 60);
      // Closing a connection ends its server session a moment later.
      await eventually(
        "no session left idle in a transaction",
        async () => (await openTransactions()) === 0,
        { timeoutMs: 3000, intervalMs: 50 },
      ).catch(() => undefined);
      const open = await openTransactions();
      because(
        `expected no session left idle in a transaction after a transfer whose query #${step} (${failed}) and the next one failed; ${open} are`,
        () => expect(open).toBe(0),
      );
      const after = await snapshot([a!, b!]);
      because(
        `expected a transfer whose queries #${step} (${failed}) and #${step + 1} failed to be applied fully or not at all`,
        () =>
          expect(after).toEqual(
            ok
              ? {
                  balances: [before.balances[0]! - amount, before.balances[1]! + amount],
                  transfers: before.transfers + 1,
                  entries: before.entries + 2,
                }
              : before,
          ),
      );
      if (ok && spy.queries.length - firstOfStep < step) break; // every step of the transfer has been tried
    }
    const state = await poolState(learner, pool);
    because("expected every connection to be back in the pool after the failures", () =>
      expect({ idle: state.idle, waiting: state.waiting }).toEqual({
        idle: state.total,
        waiting: 0,
      }),
    );
  });
});
