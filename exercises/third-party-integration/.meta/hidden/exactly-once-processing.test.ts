import {
  because,
  seededRandom,
  startLearner,
  useLearner,
  useServices,
} from "@backend-sandbox/testkit";
import { serveApp, startCheckout } from "#support/checkout-service";
import { eventBody, type PaymentSnapshot } from "#support/payment-event-body";
import { deliverWebhook } from "#support/webhook-delivery";
import { signatureHeader } from "#support/webhook-signing";

const services = useServices();
const learner = useLearner();
const random = seededRandom();
const secret = `whsec_${random.token(32)}`;
let checkout: Awaited<ReturnType<typeof startCheckout>>;
let secondInstance: string;
beforeAll(async () => {
  checkout = await startCheckout(learner, services.databaseUrl, secret);
  // The second instance runs in a process of its own, as a second server of the service would.
  secondInstance = await serveApp(await startLearner(), {
    databaseUrl: services.databaseUrl,
    webhookSecret: secret,
    now: checkout.clock.now,
  });
});

/** Delivers like the provider: signed now, to one of the two service instances. */
const deliver = (body: string, instance = 0) =>
  deliverWebhook(
    instance % 2 ? secondInstance : checkout.url,
    body,
    signatureHeader(secret, checkout.unixNow(), body),
  );
const ledger = async (paymentId: string) =>
  (
    await services.pg.query<{ amount: number }>(
      "SELECT amount FROM ledger_entries WHERE payment_id = $1 ORDER BY id",
      [paymentId],
    )
  ).rows.map((r) => r.amount);
const payment = (
  status: string,
  version: number,
  id = `pay_${random.token()}`,
  amount = random.int(100, 90_000),
): PaymentSnapshot => ({ id, amount, status, version });

describe("exactly-once-processing", () => {
  it("[R4.1, R4.2] processes 8 concurrent deliveries of one event, across two instances, exactly once", async () => {
    // Writing the ledger is made slow (300 ms, in Postgres), so that every delivery arrives while
    // the first one's transaction is still open: a check-then-insert dedupe then lets several
    // through every time, not only when the scheduler happens to interleave them.
    await services.pg.query(`
      CREATE TABLE IF NOT EXISTS slowed_payments (payment_id text PRIMARY KEY);
      CREATE OR REPLACE FUNCTION slow_injected() RETURNS trigger AS $$ BEGIN
        IF EXISTS (SELECT 1 FROM slowed_payments WHERE payment_id = NEW.payment_id) THEN PERFORM pg_sleep(0.3); END IF;
        RETURN NEW; END $$ LANGUAGE plpgsql;
      DROP TRIGGER IF EXISTS slow_injected ON ledger_entries;
      CREATE TRIGGER slow_injected BEFORE INSERT ON ledger_entries FOR EACH ROW EXECUTE FUNCTION slow_injected();`);
    for (let round = 1; round <= 3; round++) {
      const p = payment("succeeded", 1);
      await services.pg.query("INSERT INTO slowed_payments VALUES ($1)", [p.id]);
      const body = eventBody(`evt_${random.token()}`, "payment.succeeded", p);
      const statuses = (
        await Promise.all(Array.from({ length: 8 }, (_, i) => deliver(body, i)))
      ).map((r) => r.status);
      because(`expected 200 for all 8 deliveries (round ${round}), got ${statuses}`, () =>
        expect(statuses).toEqual(Array(8).fill(200)),
      );
      const entries = await ledger(p.id);
      because(
        `expected one ledger entry of ${p.amount} after 8 concurrent deliveries of one event (round ${round}), saw ${JSON.stringify(entries)} (seed ${random.seed})`,
        () => expect(entries).toEqual([p.amount]),
      );
    }
  });

  it("[R4.2] ignores a redelivery minutes later, re-signed, and processes a new event id with the same data", async () => {
    const p = payment("succeeded", 1);
    const first = eventBody(`evt_${random.token()}`, "payment.succeeded", p);
    await deliver(first);
    checkout.clock.advance(4 * 60_000);
    const again = await deliver(first);
    because(`expected 200 for a redelivered event, got ${again.status}`, () =>
      expect(again.status).toBe(200),
    );
    const other = eventBody(`evt_${random.token()}`, "payment.succeeded", p);
    await deliver(other);
    await deliver(other);
    const entries = await ledger(p.id);
    because(
      `expected 2 ledger entries (two distinct event ids, each delivered twice), saw ${JSON.stringify(entries)}`,
      () => expect(entries).toEqual([p.amount, p.amount]),
    );
  });

  it("[R4.3] does not mark an event processed when processing fails, so the redelivery is applied", async () => {
    const p = payment("succeeded", 1);
    await services.pg.query(`
      CREATE TABLE IF NOT EXISTS injected_faults (payment_id text PRIMARY KEY);
      CREATE OR REPLACE FUNCTION fail_injected() RETURNS trigger AS $$ BEGIN
        IF EXISTS (SELECT 1 FROM injected_faults WHERE payment_id = NEW.payment_id) THEN RAISE EXCEPTION 'injected fault'; END IF;
        RETURN NEW; END $$ LANGUAGE plpgsql;
      DROP TRIGGER IF EXISTS fail_injected ON ledger_entries;
      CREATE TRIGGER fail_injected BEFORE INSERT ON ledger_entries FOR EACH ROW EXECUTE FUNCTION fail_injected();`);
    await services.pg.query("INSERT INTO injected_faults VALUES ($1)", [p.id]);
    const body = eventBody(`evt_${random.token()}`, "payment.succeeded", p);
    const failed = await deliver(body);
    because(`expected a 5xx while writing the ledger fails, got ${failed.status}`, () =>
      expect(failed.status).toBeGreaterThanOrEqual(500),
    );
    await services.pg.query("DELETE FROM injected_faults WHERE payment_id = $1", [p.id]);
    const redelivered = await deliver(body);
    const entries = await ledger(p.id);
    because(
      `expected the redelivery to be applied once: 200 and one ledger entry; got ${redelivered.status} and ${JSON.stringify(entries)}`,
      () => {
        expect(redelivered.status).toBe(200);
        expect(entries).toEqual([p.amount]);
      },
    );
  });

  it("[R4.1, R4.4] ends in the newest state when events arrive out of order", async () => {
    const first = payment("processing", 1);
    const events = [
      eventBody(`evt_${random.token()}`, "payment.processing", first),
      eventBody(`evt_${random.token()}`, "payment.succeeded", {
        ...first,
        status: "succeeded",
        version: 2,
      }),
      eventBody(`evt_${random.token()}`, "payment.refunded", {
        ...first,
        status: "refunded",
        version: 3,
      }),
    ];
    for (const i of [2, 0, 1]) expect((await deliver(events[i]!)).status).toBe(200);
    const { rows } = await services.pg.query("SELECT status, version FROM payments WHERE id = $1", [
      first.id,
    ]);
    because(
      `expected the payment to end refunded at version 3 after v3, v1, v2; saw ${JSON.stringify(rows)}`,
      () => expect(rows).toEqual([{ status: "refunded", version: 3 }]),
    );
    const entries = await ledger(first.id);
    because(
      `expected ledger entries +${first.amount} and -${first.amount}, saw ${JSON.stringify(entries)}`,
      () => expect([...entries].sort((a, b) => a - b)).toEqual([-first.amount, first.amount]),
    );
  });

  it("[R4.4] ends in the newest state when 6 versions arrive at once, shuffled", async () => {
    const p = payment("processing", 1);
    const versions = [1, 2, 3, 4, 5, 6].sort(() => random.next() - 0.5);
    await Promise.all(
      versions.map((v, i) =>
        deliver(
          eventBody(`evt_${random.token()}`, "payment.updated", {
            ...p,
            status: `s${v}`,
            version: v,
          }),
          i,
        ),
      ),
    );
    const { rows } = await services.pg.query("SELECT status, version FROM payments WHERE id = $1", [
      p.id,
    ]);
    because(
      `expected version 6 to win after order ${versions} (seed ${random.seed}), saw ${JSON.stringify(rows)}`,
      () => expect(rows).toEqual([{ status: "s6", version: 6 }]),
    );
  });
});
