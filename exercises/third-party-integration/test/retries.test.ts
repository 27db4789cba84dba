import { because, manualClock, useLearner, fixedRandom } from "@backend-sandbox/testkit";
import { startFakeProvider } from "#support/fake-provider";
import { createPaymentClient } from "#support/payment-client";

const learner = useLearner();

describe("retries", () => {
  it("[R2.1, R2.2, R2.3] retries two 503s with full-jitter backoff and the same idempotency key, then succeeds", async () => {
    const clock = manualClock();
    const provider = await startFakeProvider("sk_test_visible");
    provider.script({ status: 503 }, { status: 503 });
    const client = await createPaymentClient(learner, {
      baseUrl: provider.url,
      secretKey: "sk_test_visible",
      baseDelayMs: 100,
      maxDelayMs: 10_000,
      maxAttempts: 5,
      sleep: clock.sleep,
      now: clock.now,
      random: fixedRandom(0.5).draw,
    });

    const charge = await client.createCharge({ amount: 990, currency: "eur" });

    expect(charge.amount).toBe(990);
    because("expected 3 requests to the provider", () => expect(provider.requests).toHaveLength(3));
    because("expected waits of 0.5 × 100 and 0.5 × 200 ms (random() = 0.5, base 100 ms)", () =>
      expect(clock.sleeps).toEqual([50, 100]),
    );
    const keys = new Set(provider.requests.map((r) => r.idempotencyKey));
    because("expected every attempt to carry the same Idempotency-Key", () => {
      expect(keys.size).toBe(1);
      expect([...keys][0]).toEqual(expect.any(String));
    });
  });

  it("[R1.5, R2.1] does not retry a 400", async () => {
    const provider = await startFakeProvider("sk_test_visible");
    provider.script({ status: 400 });
    const clock = manualClock();
    const client = await createPaymentClient(learner, {
      baseUrl: provider.url,
      secretKey: "sk_test_visible",
      sleep: clock.sleep,
      now: clock.now,
    });

    await expect(client.createCharge({ amount: 100, currency: "eur" })).rejects.toMatchObject({
      code: "invalid_request",
    });
    because("expected exactly 1 request: a 400 will not change on retry", () =>
      expect(provider.requests).toHaveLength(1),
    );
  });
});
