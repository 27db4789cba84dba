import { because, seededRandom, useLearner, useServices } from "@backend-sandbox/testkit";
import { startCheckout } from "#support/checkout-service";
import { eventBody } from "#support/payment-event-body";
import { signatureHeader } from "#support/webhook-signing";

const services = useServices();
const learner = useLearner();

describe("webhooks", () => {
  it("[R3.2, R3.6, R3.7] accepts an event signed with the webhook secret, and rejects a wrong signature with 400", async () => {
    const random = seededRandom();
    const secret = `whsec_${random.token(32)}`;
    const checkout = await startCheckout(learner, services.databaseUrl, secret);
    const body = eventBody(`evt_${random.token()}`, "payment.succeeded", {
      id: `pay_${random.token()}`,
      amount: 1000,
      status: "succeeded",
      version: 1,
    });

    const good = await checkout.deliver(body, signatureHeader(secret, checkout.unixNow(), body));
    const bad = await checkout.deliver(
      body,
      signatureHeader(`${secret}x`, checkout.unixNow(), body),
    );

    because(`expected 200 for a correctly signed event (seed ${random.seed})`, () =>
      expect(good.status).toBe(200),
    );
    because("expected 400 for an event signed with another secret", () =>
      expect(bad.status).toBe(400),
    );
  });
});
