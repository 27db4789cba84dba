import {
  because,
  eventually,
  pgPool,
  seededRandom,
  startLearner,
  useLearner,
  useServices,
  within,
  type LearnerProcess,
} from "@backend-sandbox/testkit";
import type * as OutboxRelay from "#src/outbox-relay";
import type { OutboxMessage, OutboxRelayOptions } from "#src/outbox-relay";
import { migrate } from "#support/checkout-service";
import { failure } from "#support/failure";

const services = useServices();
const learner = useLearner();
const random = seededRandom();
beforeAll(() => migrate(learner, services.databaseUrl));
beforeEach(() => services.pg.query("TRUNCATE outbox"));

const addRows = async (n: number) => {
  const { rows } = await services.pg.query<{ id: string }>(
    "INSERT INTO outbox (topic, payload) SELECT 'test.message', jsonb_build_object('n', g, 'tag', $2::text) FROM generate_series(1, $1) g RETURNING id::text",
    [n, random.token()],
  );
  return rows.map((r) => r.id);
};
const pending = async () =>
  Number(
    (await services.pg.query("SELECT count(*) FROM outbox WHERE delivered_at IS NULL")).rows[0]
      .count,
  );
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** The learner's relay, made in `where` (this file's learner's process unless given); `pg` is a pgPool(...). */
const createOutboxRelay = (
  options: Omit<OutboxRelayOptions, "pg"> & { pg?: unknown },
  where: Pick<LearnerProcess, "module"> = learner,
) =>
  where.module<typeof OutboxRelay>("outbox-relay").createOutboxRelay({
    pg: pgPool(services.databaseUrl),
    ...options,
  });
const tally = (ids: string[]) =>
  ids.reduce((m, id) => m.set(id, (m.get(id) ?? 0) + 1), new Map<string, number>());

describe("outbox relay", () => {
  it("[R5.3] delivers every row once, oldest first, batchSize at a time", async () => {
    const ids = await addRows(25);
    const seen: OutboxMessage[] = [];
    const relay = await createOutboxRelay({
      batchSize: 10,
      deliver: async (m) => void seen.push(m),
    });
    const counts = [
      await relay.runOnce(),
      await relay.runOnce(),
      await relay.runOnce(),
      await relay.runOnce(),
    ];
    because(`expected runs to deliver [10, 10, 5, 0], saw [${counts}]`, () =>
      expect(counts).toEqual([10, 10, 5, 0]),
    );
    because("expected each row once, in id order, with its topic and payload", () => {
      expect(seen.map((m) => String(m.id))).toEqual(ids);
      expect(seen[0]).toMatchObject({ topic: "test.message", payload: { n: 1 } });
    });
  });

  it("[R5.4] keeps a row whose delivery failed pending, and delivers it on a later run", async () => {
    const ids = await addRows(6);
    const delivered: string[] = [];
    let failOnce = true;
    const relay = await createOutboxRelay({
      deliver: async (m) => {
        if (String(m.id) === ids[2] && failOnce) {
          failOnce = false;
          throw new Error("broker unavailable");
        }
        delivered.push(String(m.id));
      },
    });
    await relay.runOnce();
    await relay.runOnce();
    because(
      `expected all 6 rows delivered after the failure, saw ${delivered.length} and ${await pending()} pending`,
      () => expect([...delivered].sort()).toEqual([...ids].sort()),
    );
  });

  it("[R5.5] never delivers one row twice when three relays run at the same time", async () => {
    const ids = await addRows(60);
    const delivered: string[] = [];
    const deliver = async (m: OutboxMessage) => {
      await pause(3);
      delivered.push(String(m.id));
    };
    const drain = async () => {
      const relay = await createOutboxRelay({
        pg: pgPool({ connectionString: services.databaseUrl, max: 2 }),
        batchSize: 10,
        deliver,
      });
      for (let run = 0; run < 30 && (await relay.runOnce()) > 0; run++); // bounded: 60 rows need 6 runs at most
    };
    await within(20_000, "three relays to drain 60 rows", Promise.all([drain(), drain(), drain()]));
    const twice = [...tally(delivered)].filter(([, n]) => n > 1);
    because(
      `expected 60 deliveries, one per row; saw ${delivered.length}, rows delivered twice: ${twice.length}`,
      () => {
        expect(twice).toEqual([]);
        expect(new Set(delivered)).toEqual(new Set(ids));
      },
    );
  });

  it("[R5.6] loses nothing when a relay dies mid-batch: another relay delivers the rest", async () => {
    const ids = await addRows(8);
    const name = `relay_${random.token(8)}`;
    const delivered: string[] = [];
    let calls = 0;
    // In a process of its own, on a pool of its own whose connection is killed below: the code under
    // test may crash with it (an error on a checked-out client has no listener), as a dying relay does.
    const doomed = await createOutboxRelay(
      {
        pg: pgPool({ connectionString: services.databaseUrl, application_name: name, max: 1 }),
        deliver: async (m: OutboxMessage) => {
          if (++calls === 4) return new Promise<void>(() => {}); // hangs forever, like a crashed process
          delivered.push(String(m.id));
        },
      },
      await startLearner(),
    );
    void doomed.runOnce().catch(() => {});
    await eventually("the first relay to deliver 3 rows and start on the 4th", () => calls >= 4, {
      timeoutMs: 5000,
    });
    await services.pg.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
      [name],
    );
    const survivor = await createOutboxRelay({
      deliver: async (m) => void delivered.push(String(m.id)),
    });
    await eventually(
      "a second relay to deliver what is left",
      async () => (await survivor.runOnce()) === 0 && (await pending()) === 0,
      { timeoutMs: 10_000 },
    );
    const missing = ids.filter((id) => !delivered.includes(id));
    because(`expected every row delivered at least once; missing ${JSON.stringify(missing)}`, () =>
      expect(missing).toEqual([]),
    );
  });

  it("[R5.7] rejects when the database fails mid-run, keeps the batch pending, and delivers it on its next run", async () => {
    const ids = await addRows(3);
    const delivered: string[] = [];
    // One connection, so the next run is on the connection the failed one used.
    const relay = await createOutboxRelay({
      pg: pgPool({ connectionString: services.databaseUrl, max: 1 }),
      deliver: async (m) => void delivered.push(String(m.id)),
    });
    // Postgres refuses the marking: an UPDATE of the outbox fails while the trigger exists.
    await services.pg.query(`
      CREATE OR REPLACE FUNCTION fail_marking() RETURNS trigger AS $$ BEGIN
        RAISE EXCEPTION 'injected fault'; END $$ LANGUAGE plpgsql;
      CREATE TRIGGER fail_marking BEFORE UPDATE ON outbox FOR EACH ROW EXECUTE FUNCTION fail_marking();`);
    let error: unknown;
    try {
      error = await failure(relay.runOnce());
    } finally {
      await services.pg.query("DROP TRIGGER IF EXISTS fail_marking ON outbox");
    }
    const left = await pending();
    const next = await relay.runOnce().then(
      (n) => `${n} delivered`,
      (e: unknown) => `a rejection (${(e as Error | undefined)?.message})`,
    );
    because(
      `expected the failed run to reject and leave 3 rows pending, then the next run to deliver 3; saw ${error === undefined ? "no rejection" : "a rejection"}, ${left} pending, then ${next}`,
      () => {
        expect(error).toBeDefined();
        expect(left).toBe(3);
        expect(next).toBe("3 delivered");
      },
    );
    because(`expected each row delivered in both runs, saw ${JSON.stringify(delivered)}`, () =>
      expect(delivered).toEqual([...ids, ...ids]),
    );
  });

  it("[R5.3] delivers 10 rows per run when batchSize is left out", async () => {
    const ids = await addRows(23);
    const seen: string[] = [];
    const relay = await createOutboxRelay({
      deliver: async (m) => void seen.push(String(m.id)),
    });
    const counts = [await relay.runOnce(), await relay.runOnce(), await relay.runOnce()];
    because(`expected runs to deliver [10, 10, 3], saw [${counts}]`, () => {
      expect(counts).toEqual([10, 10, 3]);
      expect(seen).toEqual(ids);
    });
  });
});
