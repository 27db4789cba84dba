import { inspect } from "node:util";
import { because, seededRandom, useLearner } from "@backend-sandbox/testkit";
import type { PaymentClientOptions } from "#src/payment-client";
import { startFakeProviderOnClock } from "#support/fake-provider";
import { failure } from "#support/failure";
import { createPaymentClient } from "#support/payment-client";

const learner = useLearner();
const random = seededRandom();
const threshold = random.int(3, 7);
const cooldownMs = random.int(5, 60) * 1000;
const setup = async (options: Partial<PaymentClientOptions> = {}) => {
  const { clock, provider } = await startFakeProviderOnClock("sk_test_cb");
  const client = await createPaymentClient(learner, {
    baseUrl: provider.url,
    secretKey: "sk_test_cb",
    maxAttempts: 1,
    now: clock.now,
    sleep: clock.sleep,
    breaker: { failureThreshold: threshold, cooldownMs },
    ...options,
  });
  const charge = () => failure(client.createCharge({ amount: 100, currency: "eur" }));
  const failTimes = async (n: number) => {
    provider.script(...Array(n).fill({ status: 500 }));
    for (let i = 0; i < n; i++) await charge();
  };
  return { clock, provider, charge, failTimes };
};
const ctx = `(threshold ${threshold}, cool-down ${cooldownMs} ms, seed ${random.seed})`;

describe("circuit-breaker", () => {
  it("[R6.1, R6.2] opens after failureThreshold failures in a row: calls fail fast with circuit_open, nothing sent", async () => {
    const { provider, charge, clock } = await setup({ maxAttempts: 4 });
    provider.otherwise({ status: 500 });
    for (let i = 0; i < threshold; i++) await charge(); // each call may retry: every failed request counts
    const sent = provider.requests.length;
    const sleeps = clock.sleeps.length;
    const error = await charge();
    because(`expected { code: "circuit_open" } and no request or wait once open ${ctx}`, () => {
      expect(error).toMatchObject({ code: "circuit_open" });
      expect(provider.requests.length).toBe(sent);
      expect(clock.sleeps.length).toBe(sleeps);
    });
  });

  it("[R6.1] counts only failures in a row: a success in between resets the count", async () => {
    const { provider, charge, failTimes } = await setup();
    await failTimes(threshold - 1);
    await charge();
    await failTimes(threshold - 1);
    const before = provider.requests.length;
    await charge();
    because(`expected the circuit still closed: the next call reaches the provider ${ctx}`, () =>
      expect(provider.requests.length).toBe(before + 1),
    );
  });

  it("[R6.1] does not count 4xx answers as failures: the provider is up", async () => {
    const { provider, charge } = await setup();
    provider.script(
      ...Array(threshold * 2)
        .fill(null)
        .map((_, i) => ({ status: i % 2 ? 402 : 400 })),
    );
    for (let i = 0; i < threshold * 2; i++) await charge();
    const error = await charge();
    because(
      `expected the call after ${threshold * 2} declines to reach the provider and succeed ${ctx}`,
      () => {
        expect(error).toBeUndefined();
        expect(provider.requests).toHaveLength(threshold * 2 + 1);
      },
    );
  });

  it("[R6.2, R6.3] lets one probe through after the cool-down; its success closes the circuit", async () => {
    const { provider, charge, failTimes, clock } = await setup();
    await failTimes(threshold);
    clock.advance(cooldownMs - 1);
    const early = await charge();
    because(
      `expected { code: "circuit_open", attempts: 0, retryAfterMs: 1 } 1 ms before the cool-down ends ${ctx}`,
      () => expect(early).toMatchObject({ code: "circuit_open", attempts: 0, retryAfterMs: 1 }),
    );
    clock.advance(1);
    const results = [await charge(), await charge(), await charge()];
    because(`expected the probe and the calls after it to succeed ${ctx}`, () => {
      expect(results).toEqual([undefined, undefined, undefined]);
      expect(provider.requests).toHaveLength(threshold + 3);
    });
  });

  it("[R6.3] re-opens for a full cool-down when the probe fails", async () => {
    const { provider, charge, failTimes, clock } = await setup();
    await failTimes(threshold);
    clock.advance(cooldownMs);
    await failTimes(1); // the probe fails
    clock.advance(cooldownMs - 1);
    const stillOpen = await charge();
    clock.advance(1);
    const probe = await charge();
    because(
      `expected circuit_open until a full cool-down after the failed probe, then a successful probe ${ctx}`,
      () => {
        expect(stillOpen).toMatchObject({ code: "circuit_open" });
        expect(probe).toBeUndefined();
        expect(provider.requests).toHaveLength(threshold + 2);
      },
    );
  });

  it("[R6.3] sends exactly one probe when 10 calls arrive together after the cool-down", async () => {
    const { provider, charge, failTimes, clock } = await setup();
    await failTimes(threshold);
    clock.advance(cooldownMs);
    provider.script({ delayMs: 300 });
    const results = await Promise.all(Array.from({ length: 10 }, () => charge()));
    const rejected = results.filter(
      (r) => (r as { code?: string } | undefined)?.code === "circuit_open",
    ).length;
    because(
      `expected 1 probe at the provider and 9 calls failing fast; saw ${provider.requests.length - threshold} and ${rejected} ${ctx}`,
      () => {
        expect(provider.requests.length - threshold).toBe(1);
        expect(rejected).toBe(9);
      },
    );
  });

  it("[R6.1] counts timeouts as failures", async () => {
    const { provider, charge } = await setup({ timeoutMs: 100 });
    provider.otherwise({ delayMs: 2000 });
    for (let i = 0; i < threshold; i++) await charge();
    const error = await charge();
    because(`expected circuit_open after ${threshold} timeouts ${ctx}`, () =>
      expect(error).toMatchObject({ code: "circuit_open" }),
    );
  });

  it("[R6.4] stops an operation whose own retries open the circuit, with circuit_open", async () => {
    const { provider, charge } = await setup({ maxAttempts: threshold + 3, deadlineMs: 10 ** 9 });
    provider.otherwise({ status: 503 });
    const error = await charge();
    because(
      `expected ${threshold} requests, then { code: "circuit_open", attempts: ${threshold} }; saw ${provider.requests.length} and ${inspect(error)} ${ctx}`,
      () => {
        expect(provider.requests).toHaveLength(threshold);
        expect(error).toMatchObject({ code: "circuit_open", attempts: threshold });
      },
    );
  });
});
