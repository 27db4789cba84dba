import {
  because,
  request,
  seededRandom,
  startLearner,
  useLearner,
  useServices,
} from "@backend-sandbox/testkit";
import { serveApp, startCheckout } from "#support/checkout-service";
import { postOrder } from "#support/post-order";

const services = useServices();
const learner = useLearner();
const random = seededRandom();
let checkout: Awaited<ReturnType<typeof startCheckout>>;
beforeAll(
  async () => void (checkout = await startCheckout(learner, services.databaseUrl, "whsec_orders")),
);

const count = async (sql: string, params: unknown[] = []) =>
  Number((await services.pg.query(sql, params)).rows[0].count);
const ordersOf = (customerId: string) =>
  count("SELECT count(*) FROM orders WHERE customer_id = $1", [customerId]);
const outboxOf = (customerId: string) =>
  count("SELECT count(*) FROM outbox WHERE payload->>'customerId' = $1", [customerId]);

describe("outbox", () => {
  it("[R5.2] answers 201 with the order and writes one order.created outbox row for it", async () => {
    const input = {
      customerId: `cus_${random.token()}`,
      amountCents: random.int(1, 1_000_000),
      currency: random.pick(["eur", "usd", "gbp"]),
    };
    const response = await checkout.postOrder(input);
    const order = response.body as { id: string };
    because(
      `expected 201 and the order echoed with an id and status pending (seed ${random.seed})`,
      () => {
        expect(response.status).toBe(201);
        expect(order).toEqual({ ...input, id: expect.any(String), status: "pending" });
      },
    );
    const { rows } = await services.pg.query(
      "SELECT topic, payload, delivered_at FROM outbox WHERE payload->>'orderId' = $1",
      [order.id],
    );
    because(
      `expected one pending order.created row with the order's data, saw ${JSON.stringify(rows)}`,
      () =>
        expect(rows).toEqual([
          { topic: "order.created", payload: { orderId: order.id, ...input }, delivered_at: null },
        ]),
    );
  });

  it("[R5.1] answers 422 to an invalid order (400 to unparsable JSON) and writes nothing", async () => {
    const customerId = `cus_${random.token()}`;
    const invalid = [
      {},
      { customerId, currency: "eur" },
      { customerId, amountCents: 0, currency: "eur" },
      { customerId, amountCents: -5, currency: "eur" },
      { customerId, amountCents: 12.5, currency: "eur" },
      { customerId, amountCents: "100", currency: "eur" },
      { customerId, amountCents: 100, currency: "euro" },
      { customerId, amountCents: 100 },
      { customerId: 42, amountCents: 100, currency: "eur" },
      [],
      { customerId, amountCents: 100, currency: "EUR" },
      { customerId, amountCents: 100, currency: "eu" },
      { customerId, amountCents: 100, currency: "e1r" },
      { customerId: "", amountCents: 100, currency: "eur" },
      { customerId: `${customerId}_${"x".repeat(100)}`, amountCents: 100, currency: "eur" },
      { customerId, amountCents: 100_000_001, currency: "eur" },
      { customerId, amountCents: null, currency: "eur" },
      { customerId, amountCents: true, currency: "eur" },
      { customerId, amountCents: 100, currency: ["eur"] },
    ];
    for (const body of invalid) {
      const response = await checkout.postOrder(body);
      because(`expected 422 for ${JSON.stringify(body)}, got ${response.status}`, () =>
        expect(response.status).toBe(422),
      );
    }
    const broken = await request(`${checkout.url}/orders`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"customerId": ',
    });
    because(`expected 400 for unparsable JSON, got ${broken.status}`, () =>
      expect(broken.status).toBe(400),
    );
    const written = [await ordersOf(customerId), await outboxOf(customerId)];
    because(`expected no order and no outbox row, saw ${written}`, () =>
      expect(written).toEqual([0, 0]),
    );
  });

  it.each(["outbox", "orders"])(
    "[R5.2] writes neither the order nor the outbox row when the %s insert fails",
    async (table) => {
      const customerId = `cus_poison_${random.token()}`;
      const column = table === "outbox" ? "NEW.payload->>'customerId'" : "NEW.customer_id";
      await services.pg.query(`
      CREATE OR REPLACE FUNCTION fail_${table}() RETURNS trigger AS $$ BEGIN
        IF ${column} LIKE 'cus_poison_%' THEN RAISE EXCEPTION 'injected fault'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql;
      DROP TRIGGER IF EXISTS fail_${table} ON ${table};
      CREATE TRIGGER fail_${table} BEFORE INSERT ON ${table} FOR EACH ROW EXECUTE FUNCTION fail_${table}();`);
      try {
        const healthy = await checkout.postOrder({
          customerId: `cus_${random.token()}`,
          amountCents: 100,
          currency: "eur",
        });
        because(`expected 201 for an order the fault does not touch, got ${healthy.status}`, () =>
          expect(healthy.status).toBe(201),
        );
        const response = await checkout.postOrder({
          customerId,
          amountCents: 100,
          currency: "eur",
        });
        because(`expected a 5xx when the ${table} insert fails, got ${response.status}`, () =>
          expect(response.status).toBeGreaterThanOrEqual(500),
        );
        const written = [await ordersOf(customerId), await outboxOf(customerId)];
        because(`expected [orders, outbox rows] = [0, 0] after the failure, saw [${written}]`, () =>
          expect(written).toEqual([0, 0]),
        );
      } finally {
        await services.pg.query(`DROP TRIGGER IF EXISTS fail_${table} ON ${table}`);
      }
    },
  );

  it("[R5.2] writes one outbox row per order under 40 concurrent orders on two instances", async () => {
    // The second instance runs in a process of its own, as a second server of the service would.
    const second = await serveApp(await startLearner(), {
      databaseUrl: services.databaseUrl,
      webhookSecret: "x",
    });
    const customerId = `cus_${random.token()}`;
    const responses = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        postOrder(i % 2 ? second : checkout.url, {
          customerId,
          amountCents: i + 1,
          currency: "eur",
        }),
      ),
    );
    because("expected 40 × 201", () =>
      expect(responses.map((r) => r.status)).toEqual(Array(40).fill(201)),
    );
    const orphans = await count(
      `SELECT count(*) FROM orders o WHERE o.customer_id = $1 AND
      (SELECT count(*) FROM outbox x WHERE x.payload->>'orderId' = o.id::text) <> 1`,
      [customerId],
    );
    const written = [await ordersOf(customerId), await outboxOf(customerId), orphans];
    because(
      `expected [orders, outbox rows, orders without exactly one row] = [40, 40, 0], saw [${written}]`,
      () => expect(written).toEqual([40, 40, 0]),
    );
  });

  it("[R5.1, R5.2] accepts the boundaries: a 1- and a 100-character customerId, amountCents 1 and 100000000, extra fields ignored", async () => {
    const longest = `cus_${random.token(96)}`;
    const orders = [
      { customerId: longest, amountCents: 100_000_000, currency: "usd" },
      { customerId: "c", amountCents: 1, currency: "jpy", note: "ignored" },
    ];
    for (const order of orders) {
      const response = await checkout.postOrder(order);
      const body = response.body as Record<string, unknown>;
      const { note: _ignored, ...expected } = order as typeof order & { note?: string };
      because(
        `expected 201 with the order for ${JSON.stringify(order)}, got ${response.status} ${JSON.stringify(body)}`,
        () => {
          expect(response.status).toBe(201);
          expect(body).toEqual({ ...expected, id: expect.any(String), status: "pending" });
        },
      );
    }
    const rows = await outboxOf(longest);
    because(`expected one outbox row for the 100-character customer, saw ${rows}`, () =>
      expect(rows).toBe(1),
    );
  });
});
