import { because, seededRandom, timed, useLearner, within } from "@backend-sandbox/testkit";
import type * as Report from "#src/report";
import { createAccounts } from "#support/create-accounts";
import { learnerPool } from "#support/learner-pool";
import { startQueryProxy } from "#support/query-proxy";
import { useMigratedDatabase } from "#support/use-migrated-database";
import { whileLocked } from "#support/while-locked";

const learner = useLearner();
const services = useMigratedDatabase(learner);
const random = seededRandom();
const { transferReport } = learner.module<typeof Report>("report");

describe("safety: the report runs under a statement timeout", () => {
  it("[R5.4] totals transfers per UTC day, oldest first", async () => {
    const [a, b] = await createAccounts(services.pg, [0, 0], random);
    const rows = [
      ["2024-05-01T23:59:59.999Z", random.int(1, 90)],
      ["2024-05-02T00:00:00Z", random.int(1, 90)],
      ["2024-05-02T12:00:00Z", random.int(1, 90)],
      ["2024-04-30T00:00:01Z", random.int(1, 90)],
    ] as const;
    for (const [at, amount] of rows) {
      await services.pg.query(
        "INSERT INTO transfers (from_account_id, to_account_id, amount, created_at) VALUES ($1, $2, $3, $4)",
        [a, b, amount, at],
      );
    }
    // A session far from UTC: the days must still split at UTC midnight.
    const report = await transferReport(
      await learnerPool(learner, services.databaseUrl, {
        max: 2,
        options: "-c TimeZone=Pacific/Auckland",
      }),
      { timeoutMs: 5000 },
    );
    because(`expected days split at UTC midnight (seed ${random.seed})`, () =>
      expect(report).toEqual([
        { day: "2024-04-30", count: 1, volume: rows[3][1] },
        { day: "2024-05-01", count: 1, volume: rows[0][1] },
        { day: "2024-05-02", count: 2, volume: rows[1][1] + rows[2][1] },
      ]),
    );
  });

  it("[R5.5, R5.6] gives up with TimeoutError near its budget when the query is blocked, and the pool still works", async () => {
    // One connection: whatever the report leaves on it, the next query meets.
    const pool = await learnerPool(learner, services.databaseUrl, { max: 1 });
    await whileLocked(
      services.pg,
      "LOCK TABLE transfers IN ACCESS EXCLUSIVE MODE",
      [],
      async () => {
        const timeoutMs = random.int(200, 400);
        const { value: error, ms } = await timed(() =>
          within(
            8000,
            "the report to give up while its table is locked",
            transferReport(pool, { timeoutMs }).catch((e: unknown) => e),
          ),
        );
        because(`expected TimeoutError with a ${timeoutMs} ms budget, got ${String(error)}`, () =>
          expect((error as Error | undefined)?.name).toBe("TimeoutError"),
        );
        because(
          `expected the report to give up within ${timeoutMs + 2500} ms, took ${Math.round(ms)} ms`,
          () => expect(ms).toBeLessThan(timeoutMs + 2500),
        );
      },
    );
    const after = await within(
      5000,
      "a query on the pool after the timeout",
      pool.query("SELECT pg_sleep(0.6), 1 AS ok").then(
        () => "answered",
        (e: Error) => e,
      ),
    );
    because(`expected a 600 ms query to run after the report, got ${String(after)}`, () =>
      expect(after).toBe("answered"),
    );
  });

  it("[R5.6] leaves no timeout behind on the connection after a report that succeeded", async () => {
    const pool = await learnerPool(learner, services.databaseUrl, { max: 1 });
    await transferReport(pool, { timeoutMs: 300 });
    const after = await pool
      .query("SELECT pg_sleep(0.6), current_setting('statement_timeout') AS timeout")
      .then(
        () => "answered",
        (e: Error) => e,
      );
    because(
      `expected the report's 300 ms timeout not to apply to the next query on its connection, got ${String(after)}`,
      () => expect(after).toBe("answered"),
    );
  });

  it("[R5.5] refuses a timeoutMs that is not a positive integer with ValidationError, before any query, and runs with 1", async () => {
    // Read on the wire: a refused timeoutMs must not reach Postgres (it would end up in SQL text).
    const spy = await startQueryProxy(services.databaseUrl);
    const pool = await learnerPool(learner, spy.url, { max: 1 });
    for (const timeoutMs of [0, -1, 2.5, Number.NaN, "100", "100; SELECT pg_sleep(3)"]) {
      const error = await transferReport(pool, { timeoutMs: timeoutMs as number }).catch(
        (e: unknown) => e,
      );
      because(
        `expected timeoutMs ${JSON.stringify(timeoutMs)} to be refused with ValidationError, got ${String(error)}`,
        () => expect((error as Error | undefined)?.name).toBe("ValidationError"),
      );
    }
    because(
      `expected no query to reach Postgres for a refused timeoutMs, saw: ${spy.queries.map((q) => q.text).join(" | ")}`,
      () => expect(spy.queries).toEqual([]),
    );
    const outcome = await transferReport(pool, { timeoutMs: 1 }).then(
      () => "a report",
      (e: Error) => (e.name === "TimeoutError" ? "TimeoutError" : String(e)),
    );
    because(`expected timeoutMs 1 to run (a report or TimeoutError), got ${outcome}`, () =>
      expect(["a report", "TimeoutError"]).toContain(outcome),
    );
  });

  it("[R5.5, R5.6] rejects with a failed query's own error, and does not hand a connection it could not roll back to the next caller", async () => {
    // The report's queries on transfers and its ROLLBACK fail without reaching Postgres (as in
    // R2.5): the connection stays open, still inside the report's transaction and its timeout.
    const spy = await startQueryProxy(services.databaseUrl, {
      fail: (query) => /\btransfers\b|^\s*rollback\b/i.test(query.text),
    });
    const pool = await learnerPool(learner, spy.url, { max: 1 });
    const timeoutMs = random.int(200, 400);
    const error = await within(
      5000,
      "the report to settle when its query fails",
      transferReport(pool, { timeoutMs }).then(
        () => undefined,
        (e: unknown) => e,
      ),
    );
    const seen = error as { name?: string; code?: string } | undefined;
    because(
      `expected the failed query's own error (SQLSTATE 08006), not TimeoutError; got ${String(error)} (code ${seen?.code})`,
      () =>
        expect({
          name: seen?.name === "TimeoutError" ? "TimeoutError" : "its own",
          code: seen?.code,
        }).toEqual({ name: "its own", code: "08006" }),
    );
    const after = await within(
      5000,
      "a query on the pool after the failed report",
      pool.query(`SELECT pg_sleep(${(timeoutMs + 400) / 1000}), 1 AS ok`).then(
        () => "answered",
        (e: Error) => e,
      ),
    );
    because(
      `expected a query longer than the report's ${timeoutMs} ms budget to run on the pool afterwards, got ${String(after)}`,
      () => expect(after).toBe("answered"),
    );
  });
});
