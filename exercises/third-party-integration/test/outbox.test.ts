import { because, useServices } from "@backend-sandbox/testkit";
import { createOutboxRelay, type OutboxMessage } from "#src/outbox-relay";
import { startCheckout } from "#support/checkout-service";

const services = useServices();

describe("outbox", () => {
  it("announces a new order through the outbox, delivered once by the relay", async () => {
    const checkout = await startCheckout(services.pg, "whsec_visible");
    const response = await checkout.postOrder({ customerId: "cus_1", amountCents: 2500, currency: "eur" });
    because("expected 201 for a valid order", () => expect(response.status).toBe(201));
    const order = (await response.json()) as { id: string };

    const delivered: OutboxMessage[] = [];
    const relay = createOutboxRelay({ pg: services.pg, deliver: async (m) => void delivered.push(m) });
    await relay.runOnce();
    await relay.runOnce();

    because("expected one order.created message for the order, delivered once", () =>
      expect(delivered).toEqual([
        expect.objectContaining({ topic: "order.created", payload: { orderId: order.id, customerId: "cus_1", amountCents: 2500, currency: "eur" } }),
      ]));
  });
});
