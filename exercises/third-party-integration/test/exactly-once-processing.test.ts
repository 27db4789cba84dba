import { because, seededRandom, useLearner, useServices } from "@backend-sandbox/testkit";
import { startCheckout } from "#support/checkout-service";
import { eventBody } from "#support/payment-event-body";
import { signatureHeader } from "#support/webhook-signing";

const services = useServices();
const learner = useLearner();

describe("exactly-once-processing", () => {
  it("[R4.1, R4.2] records the money of an event delivered 5 times at once only once", async () => {
    const random = seededRandom();
    const checkout = await startCheckout(learner, services.databaseUrl, "whsec_visible");
    const paymentId = `pay_${random.token()}`;
    const body = eventBody(`evt_${random.token()}`, "payment.succeeded", {
      id: paymentId,
      amount: 4200,
      status: "succeeded",
      version: 1,
    });

    const deliveries = Array.from({ length: 5 }, () =>
      checkout.deliver(body, signatureHeader("whsec_visible", checkout.unixNow(), body)),
    );
    const statuses = (await Promise.all(deliveries)).map((r) => r.status);
    because(`expected 200 for every delivery, duplicates included, got ${statuses}`, () =>
      expect(statuses).toEqual([200, 200, 200, 200, 200]),
    );

    const { rows } = await services.pg.query(
      "SELECT amount FROM ledger_entries WHERE payment_id = $1",
      [paymentId],
    );
    because(`expected one ledger entry of 4200 (seed ${random.seed})`, () =>
      expect(rows).toEqual([{ amount: 4200 }]),
    );
  });
});
