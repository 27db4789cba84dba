import { because, manualClock, timed, useLearner } from "@backend-sandbox/testkit";
import { startFakeProvider } from "#support/fake-provider";
import { createPaymentClient } from "#support/payment-client";

const learner = useLearner();

describe("circuit-breaker", () => {
  it("[R6.1, R6.2] fails fast without calling the provider after 5 failures in a row", async () => {
    const clock = manualClock();
    const provider = await startFakeProvider("sk_test_visible");
    provider.otherwise({ status: 500 });
    const client = await createPaymentClient(learner, {
      baseUrl: provider.url,
      secretKey: "sk_test_visible",
      maxAttempts: 1,
      breaker: { failureThreshold: 5, cooldownMs: 30_000 },
      now: clock.now,
      sleep: clock.sleep,
    });
    for (let i = 0; i < 5; i++) {
      await expect(client.createCharge({ amount: 100, currency: "eur" })).rejects.toMatchObject({
        code: "unavailable",
      });
    }

    const { value: error, ms } = await timed(() =>
      client.createCharge({ amount: 100, currency: "eur" }).catch((e: unknown) => e),
    );

    because("expected the 6th call to fail with code `circuit_open`", () =>
      expect(error).toMatchObject({ code: "circuit_open" }),
    );
    because("expected the provider to see only the first 5 requests", () =>
      expect(provider.requests).toHaveLength(5),
    );
    because(`expected a fast failure; it took ${Math.round(ms)} ms`, () =>
      expect(ms).toBeLessThan(500),
    );
  });
});
