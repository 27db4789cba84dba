import {
  because,
  eventually,
  seededRandom,
  useLearner,
  useServices,
  within,
} from "@backend-sandbox/testkit";
import type * as Migrations from "#src/migrations";
import type { Migration } from "#src/migrations";
import { learnerPool, poolState } from "#support/learner-pool";
import { startQueryProxy } from "#support/query-proxy";

const learner = useLearner();
const services = useServices();
const random = seededRandom();
const { migrate } = learner.module<typeof Migrations>("migrations");
let migrations: Migration[] = [];
beforeAll(async () => {
  migrations = await (await learner.process()).value<Migration[]>("migrations", "migrations");
}, 30_000);
const newPool = (config: { max: number; idleTimeoutMillis?: number }, url = services.databaseUrl) =>
  learnerPool(learner, url, config);
const recorded = async () =>
  (await services.pg.query("SELECT version FROM schema_migrations ORDER BY version")).rows.map(
    (row) => Number(row.version),
  );
const tableExists = async (name: string) =>
  (await services.pg.query("SELECT to_regclass($1) IS NOT NULL AS found", [name])).rows[0]
    .found as boolean;

const [BIGINT, TEXT, INT, TS, JSONB] = [
  "bigint",
  "text",
  "integer",
  "timestamp with time zone",
  "jsonb",
];
/** The columns the README pins, with information_schema's names for their types. */
const PINNED: Record<string, Record<string, string>> = {
  accounts: { id: BIGINT, email: TEXT, name: TEXT, balance: BIGINT, created_at: TS },
  transfers: {
    id: BIGINT,
    reference: TEXT,
    from_account_id: BIGINT,
    to_account_id: BIGINT,
    amount: BIGINT,
    created_at: TS,
  },
  entries: { id: BIGINT, transfer_id: BIGINT, account_id: BIGINT, amount: BIGINT, created_at: TS },
  jobs: {
    id: BIGINT,
    type: TEXT,
    payload: JSONB,
    status: TEXT,
    attempts: INT,
    max_attempts: INT,
    run_at: TS,
    locked_by: TEXT,
    locked_until: TS,
    last_error: TEXT,
    created_at: TS,
  },
  schema_migrations: { version: INT, name: TEXT, applied_at: TS },
};

describe("migrations", () => {
  // Runs first, on the file's empty database.
  it("[R1.4, R1.1] lets 4 runners start at once on an empty database: all succeed, each migration applied once", async () => {
    const pools = await Promise.all([1, 2, 3, 4].map(() => newPool({ max: 2 })));
    const results = await within(
      20_000,
      "4 concurrent migrate() calls to finish",
      Promise.allSettled(pools.map((pool) => migrate(pool))),
    );
    const errors = results.flatMap((r) =>
      r.status === "rejected" ? [String(r.reason?.message ?? r.reason)] : [],
    );
    because(`expected all 4 concurrent runs to succeed; errors: ${errors.join(" | ")}`, () =>
      expect(errors).toEqual([]),
    );
    const applied = results
      .flatMap((r) => (r.status === "fulfilled" ? r.value : []))
      .sort((a, b) => a - b);
    const versions = migrations.map((m) => m.version).sort((a, b) => a - b);
    because("expected the runs together to apply each migration exactly once", () =>
      expect(applied).toEqual(versions),
    );
    const rows = await recorded();
    because("expected schema_migrations to hold each version once", () =>
      expect(rows).toEqual(versions),
    );
  });

  it("[R1.5] creates the tables accounts, transfers, entries and jobs", async () => {
    for (const table of ["accounts", "transfers", "entries", "jobs"]) {
      const found = await tableExists(table);
      because(`expected table ${table} to exist after migrate()`, () => expect(found).toBe(true));
    }
  });

  it("[R1.2, R1.5] gives every pinned column its type, and schema_migrations exactly (version, name, applied_at)", async () => {
    const { rows } = await services.pg.query(
      `SELECT table_name, column_name, data_type FROM information_schema.columns
        WHERE table_schema = current_schema() AND table_name = ANY($1::text[])`,
      [Object.keys(PINNED)],
    );
    const found = new Map(
      rows.map((row) => [`${row.table_name}.${row.column_name}`, row.data_type as string]),
    );
    const wrong = Object.entries(PINNED).flatMap(([table, columns]) =>
      Object.entries(columns).flatMap(([column, type]) =>
        found.get(`${table}.${column}`) === type
          ? []
          : [
              `${table}.${column}: expected ${type}, found ${found.get(`${table}.${column}`) ?? "no such column"}`,
            ],
      ),
    );
    because(`expected the pinned schema; ${wrong.join("; ")}`, () => expect(wrong).toEqual([]));
    const bookkeeping = rows
      .filter((row) => row.table_name === "schema_migrations")
      .map((row) => row.column_name)
      .sort();
    because(
      `expected schema_migrations to have exactly version, name, applied_at; it has ${bookkeeping.join(", ")}`,
      () => expect(bookkeeping).toEqual(["applied_at", "name", "version"]),
    );
  });

  it("[R1.1, R1.2] is a no-op on a migrated database: nothing applied, nothing re-recorded", async () => {
    const before = (
      await services.pg.query("SELECT version, applied_at FROM schema_migrations ORDER BY version")
    ).rows;
    const applied = await migrate(await newPool({ max: 2 }));
    because(
      `expected a second migrate() to apply nothing, it applied ${JSON.stringify(applied)}`,
      () => expect(applied).toEqual([]),
    );
    const after = (
      await services.pg.query("SELECT version, applied_at FROM schema_migrations ORDER BY version")
    ).rows;
    because("expected schema_migrations unchanged by a second run", () =>
      expect(after).toEqual(before),
    );
  });

  it("[R1.1] applies only new migrations, in ascending version order whatever the list order", async () => {
    const parent = `p_${random.token(6)}`;
    const child = `c_${random.token(6)}`;
    const first: Migration = {
      version: 1000 + random.int(0, 400),
      name: "parent",
      sql: `CREATE TABLE ${parent} (id int PRIMARY KEY)`,
    };
    const second: Migration = {
      version: first.version + random.int(1, 400),
      name: "child",
      sql: `CREATE TABLE ${child} (p int REFERENCES ${parent})`,
    };
    const applied = await migrate(await newPool({ max: 2 }), [second, ...migrations, first]);
    because(
      `expected only [${first.version}, ${second.version}] applied, in that order (seed ${random.seed}); got ${JSON.stringify(applied)}`,
      () => expect(applied).toEqual([first.version, second.version]),
    );
    expect(await tableExists(child)).toBe(true);
  });

  it("[R1.3] rolls back a failing migration entirely, does not record it, and can run again afterwards", async () => {
    const table = `broken_${random.token(6)}`;
    const bad: Migration = {
      version: 2000 + random.int(0, 999),
      name: "broken",
      sql: `CREATE TABLE ${table} (id int); SELECT 1 / 0;`,
    };
    await expect(migrate(await newPool({ max: 2 }), [...migrations, bad])).rejects.toThrow();
    const left = await tableExists(table);
    because(`expected table ${table}, created by the failed migration, to be rolled back`, () =>
      expect(left).toBe(false),
    );
    const versions = await recorded();
    because(`expected failed version ${bad.version} not to be recorded (seed ${random.seed})`, () =>
      expect(versions).not.toContain(bad.version),
    );
    const fixed = { ...bad, sql: `CREATE TABLE ${table} (id int)` };
    const applied = await within(
      5000,
      "migrate() to run after a failed run (lock released)",
      migrate(await newPool({ max: 2 }), [...migrations, fixed]),
    );
    expect(applied).toEqual([bad.version]);
  });

  it("[R1.4] holds its lock only while it runs: a runner on another pool gets through while the first pool keeps its connections", async () => {
    const tag = random.token(6);
    const [one, two]: Migration[] = [0, 1].map((i) => ({
      version: 5000 + random.int(0, 400) * 2 + i,
      name: `kept ${i}`,
      sql: `CREATE TABLE kept_${tag}_${i} (id int)`,
    }));
    // No idle timeout: the first pool's connection stays open, with whatever its session holds.
    const first = await newPool({ max: 2, idleTimeoutMillis: 0 });
    try {
      expect(await migrate(first, [...migrations, one!])).toEqual([one!.version]);
      const applied = await within(
        5000,
        "migrate() on a second pool while the first runner's pool stays open",
        migrate(await newPool({ max: 2 }), [...migrations, one!, two!]),
      );
      because(`expected the second runner to apply ${two!.version} alone`, () =>
        expect(applied).toEqual([two!.version]),
      );
    } finally {
      await first.end();
    }
  });

  it("[R1.3] commits a migration with its record or not at all, and gives up its connection and lock, when the connection fails from any query on", async () => {
    for (let step = 1; step <= 40; step++) {
      const table = `lost_${random.token(6)}`;
      const added: Migration = {
        version: 6000 + step,
        name: `lost at ${step}`,
        sql: `CREATE TABLE ${table} (id int)`,
      };
      const list = [...migrations, added];
      // From query #step on, every query through this proxy fails without reaching Postgres,
      // as on a connection that broke: the ROLLBACK too, and any unlock.
      const proxy = await startQueryProxy(services.databaseUrl, { fail: (_query, n) => n >= step });
      const pool = await newPool({ max: 2, idleTimeoutMillis: 0 }, proxy.url);
      const run = await within(
        5000,
        `migrate() with every query from #${step} on failing to settle`,
        migrate(pool, list).then(
          (v) => ({ v }),
          (e: unknown) => ({ e }),
        ),
      );
      if (proxy.queries.length < step) {
        // Fewer than `step` queries, none failed: every failure point has been tried.
        expect(run).toEqual({ v: [added.version] });
        await pool.end();
        break;
      }
      const failed = proxy.queries[step - 1]?.text.trim().slice(0, 60);
      const created = await tableExists(table);
      const written = (await recorded()).includes(added.version);
      because(
        `expected migration ${added.version} and its record to commit together or not at all when every query from #${step} (${failed}) on failed; table ${created ? "created" : "absent"}, record ${written ? "written" : "absent"}`,
        () => expect(created).toBe(written),
      );
      const state = await poolState(learner, pool);
      because(
        `expected migrate() to give its connection back after the failure at query #${step} (${failed})`,
        () =>
          expect({ idle: state.idle, waiting: state.waiting }).toEqual({
            idle: state.total,
            waiting: 0,
          }),
      );
      const after = await within(
        5000,
        `migrate() on another pool after the failure at query #${step} (${failed}), its lock released`,
        migrate(await newPool({ max: 2 }), list),
      );
      because(`expected the next runner to apply what the failed run did not commit`, () =>
        expect(after).toEqual(written ? [] : [added.version]),
      );
      expect(await tableExists(table)).toBe(true);
    }
  }, 60_000);

  it("[R1.4, R1.1] applies each new migration once when a second runner starts while the first is between any two queries", async () => {
    const waitingOnLock = async () =>
      Number(
        (
          await services.pg.query(
            "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
          )
        ).rows[0].n,
      ) > 0;
    for (let step = 1; step <= 40; step++) {
      const tag = random.token(6);
      const added: Migration[] = [0, 1].map((i) => ({
        version: 3000 + step * 10 + i,
        name: `step ${step}.${i}`,
        sql: `CREATE TABLE m_${tag}_${i} (id int)`,
      }));
      const list = [...migrations, ...added];
      // The first runner reaches Postgres through a proxy that holds the answer to its query #step.
      const first = await startQueryProxy(services.databaseUrl, { pauseAfter: step });
      const firstPool = await newPool({ max: 2, idleTimeoutMillis: 200 }, first.url);
      const firstRun = migrate(firstPool, list).then(
        (v) => ({ v }),
        (e: unknown) => ({ e }),
      );
      if (await Promise.race([first.paused.then(() => false), firstRun.then(() => true)])) {
        // The first runner sent fewer than `step` queries: every pause point has been tried.
        const alone = await firstRun;
        because(
          `expected a run with no second runner to apply ${added.map((m) => m.version).join(", ")}, got ${"e" in alone ? String(alone.e) : JSON.stringify(alone.v)}`,
          () => expect("v" in alone ? alone.v : alone.e).toEqual(added.map((m) => m.version)),
        );
        break;
      }
      const secondPool = await newPool({ max: 2, idleTimeoutMillis: 200 });
      const secondRun = migrate(secondPool, list).then(
        (v) => ({ v }),
        (e: unknown) => ({ e }),
      );
      let secondEnded = false;
      void secondRun.then(() => (secondEnded = true));
      // Let the second runner go as far as it can: to its end, or until it waits for a lock (after 3 s the first goes on anyway).
      await eventually(
        "the second runner to end or to wait for a lock",
        async () => secondEnded || (await waitingOnLock()),
        { timeoutMs: 3000, intervalMs: 25 },
      ).catch(() => undefined);
      first.resume();
      const results = [await firstRun, await secondRun];
      const errors = results.flatMap((r) =>
        "e" in r ? [String((r.e as Error)?.message ?? r.e)] : [],
      );
      because(
        `expected both runs to succeed with the first paused after its query #${step}; errors: ${errors.join(" | ")}`,
        () => expect(errors).toEqual([]),
      );
      const applied = results.flatMap((r) => ("v" in r ? r.v : [])).sort((a, b) => a - b);
      because(
        `expected versions ${added.map((m) => m.version).join(", ")} applied once between the two runs (first paused after query #${step}), got ${JSON.stringify(applied)}`,
        () => expect(applied).toEqual(added.map((m) => m.version)),
      );
    }
  }, 60_000);
});
