import { because, pgPool, useLearner, useServices } from "@backend-sandbox/testkit";
import type * as OutboxRelay from "#src/outbox-relay";
import { startCheckout } from "#support/checkout-service";

const services = useServices();
const learner = useLearner();

describe("outbox", () => {
  it("[R5.2, R5.3] announces a new order through the outbox, delivered once by the relay", async () => {
    const checkout = await startCheckout(learner, services.databaseUrl, "whsec_visible");
    const response = await checkout.postOrder({
      customerId: "cus_1",
      amountCents: 2500,
      currency: "eur",
    });
    because("expected 201 for a valid order", () => expect(response.status).toBe(201));
    const order = response.body as { id: string };

    const delivered: OutboxRelay.OutboxMessage[] = [];
    const relay = await learner.module<typeof OutboxRelay>("outbox-relay").createOutboxRelay({
      pg: pgPool(services.databaseUrl),
      deliver: async (m: OutboxRelay.OutboxMessage) => void delivered.push(m),
    });
    await relay.runOnce();
    await relay.runOnce();

    because("expected one order.created message for the order, delivered once", () =>
      expect(delivered).toEqual([
        expect.objectContaining({
          topic: "order.created",
          payload: { orderId: order.id, customerId: "cus_1", amountCents: 2500, currency: "eur" },
        }),
      ]),
    );
  });

  it("[R5.1] answers 422 to invalid fields and writes nothing", async () => {
    const checkout = await startCheckout(learner, services.databaseUrl, "whsec_visible");
    for (const order of [
      { customerId: "cus_invalid", amountCents: 12.5, currency: "eur" },
      { customerId: "cus_invalid", amountCents: "100", currency: "eur" },
      { customerId: "cus_invalid", amountCents: 100, currency: "euro" },
    ]) {
      const response = await checkout.postOrder(order);
      because(`expected 422 for ${JSON.stringify(order)}, got ${response.status}`, () =>
        expect(response.status).toBe(422),
      );
    }
    const { rows } = await services.pg.query(
      "SELECT count(*)::int AS n FROM orders WHERE customer_id = 'cus_invalid'",
    );
    because("expected no order written", () => expect(rows[0].n).toBe(0));
  });
});
