import { because, seededRandom, useLearner } from "@backend-sandbox/testkit";
import { startFakeProvider } from "#support/fake-provider";
import { createPaymentClient } from "#support/payment-client";

const learner = useLearner();

describe("client", () => {
  it("[R1.1] creates a charge, authenticated with the secret key from configuration", async () => {
    const random = seededRandom();
    const secretKey = `sk_test_${random.token(24)}`;
    const provider = await startFakeProvider(secretKey);
    const client = await createPaymentClient(learner, { baseUrl: provider.url, secretKey });

    const charge = await client.createCharge({ amount: 1250, currency: "eur", orderId: "order-1" });

    because(`expected the charge the provider made (seed ${random.seed})`, () =>
      expect(charge).toMatchObject({
        id: "ch_1",
        amount: 1250,
        currency: "eur",
        status: "succeeded",
      }),
    );
    because("expected the request to carry `Authorization: Bearer <secretKey>`", () =>
      expect(provider.requests[0]?.authorization).toBe(`Bearer ${secretKey}`),
    );
  });

  it("[R1.5] turns a declined card (402) into a PaymentProviderError with code `declined`", async () => {
    const provider = await startFakeProvider("sk_test_visible");
    provider.script({ status: 402, body: { error: { code: "card_declined" } } });
    const client = await createPaymentClient(learner, {
      baseUrl: provider.url,
      secretKey: "sk_test_visible",
    });

    const error = await client
      .createCharge({ amount: 500, currency: "eur" })
      .catch((e: unknown) => e);

    because("expected a PaymentProviderError with code `declined` and status 402", () =>
      expect(error).toMatchObject({ name: "PaymentProviderError", code: "declined", status: 402 }),
    );
  });
});
