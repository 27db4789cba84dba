import { inspect } from "node:util";
import {
  because,
  manualClock,
  seededRandom,
  useLearner,
  fixedRandom,
} from "@backend-sandbox/testkit";
import { startFakeProvider, startFakeProviderOnClock } from "#support/fake-provider";
import { failure } from "#support/failure";
import { createPaymentClient } from "#support/payment-client";

const learner = useLearner();
// Every documented default of the retry options, each checked by leaving that option out.
const random = seededRandom();
const secretKey = `sk_test_${random.token(20)}`;
// The circuit breaker is stage 6: configured here never to open (README R6.4).
const noBreaker = { failureThreshold: 1_000_000, cooldownMs: 1 };
const setup = () => startFakeProviderOnClock(secretKey);

describe("retries: defaults", () => {
  it("[R2.3] spreads the first retries of many clients when random is left out (Math.random)", async () => {
    const { clock, provider } = await setup();
    const firstWaits: number[] = [];
    for (let i = 0; i < 60; i++) {
      provider.script({ status: 503 });
      const before = clock.sleeps.length;
      const client = await createPaymentClient(learner, {
        baseUrl: provider.url,
        secretKey,
        sleep: clock.sleep,
        now: clock.now,
        baseDelayMs: 1000,
        breaker: noBreaker,
      });
      await client.createCharge({ amount: 5, currency: "eur" });
      firstWaits.push(clock.sleeps[before]!);
    }
    because(
      `expected 60 first waits spread over [0, 1000), saw ${JSON.stringify(firstWaits.slice(0, 10))}...`,
      () => {
        expect(new Set(firstWaits.map((w) => Math.round(w))).size).toBeGreaterThan(30);
        expect(Math.max(...firstWaits)).toBeLessThan(1000);
        expect(Math.min(...firstWaits)).toBeGreaterThanOrEqual(0);
      },
    );
  });

  it("[R2.5] sends 4 requests when maxAttempts is left out", async () => {
    const { clock, provider } = await setup();
    provider.otherwise({ status: 503 });
    const client = await createPaymentClient(learner, {
      baseUrl: provider.url,
      secretKey,
      sleep: clock.sleep,
      now: clock.now,
      breaker: noBreaker,
    });
    const error = await failure(client.createCharge({ amount: 5, currency: "eur" }));
    because(
      `expected 4 requests then { attempts: 4 }, saw ${provider.requests.length} and ${inspect(error)}`,
      () => {
        expect(provider.requests).toHaveLength(4);
        expect(error).toMatchObject({ code: "unavailable", attempts: 4 });
      },
    );
  });

  it("[R2.3] backs off from 200 ms, capped at 5000 ms, when baseDelayMs and maxDelayMs are left out", async () => {
    const { clock, provider } = await setup();
    provider.otherwise({ status: 503 });
    const client = await createPaymentClient(learner, {
      baseUrl: provider.url,
      secretKey,
      sleep: clock.sleep,
      now: clock.now,
      random: fixedRandom(0.5).draw,
      maxAttempts: 8,
      deadlineMs: 600_000,
      breaker: noBreaker,
    });
    await failure(client.createCharge({ amount: 5, currency: "eur" }));
    const expected = [100, 200, 400, 800, 1600, 2500, 2500];
    because(
      `expected waits ${JSON.stringify(expected)} (random() = 0.5), saw ${JSON.stringify(clock.sleeps)}`,
      () => expect(clock.sleeps).toEqual(expected),
    );
  });

  it("[R2.6] gives up within 15000 ms when deadlineMs is left out", async () => {
    const { clock, provider } = await setup();
    provider.otherwise({ status: 503 });
    const client = await createPaymentClient(learner, {
      baseUrl: provider.url,
      secretKey,
      sleep: clock.sleep,
      now: clock.now,
      random: fixedRandom(0.9).draw,
      baseDelayMs: 5000,
      maxDelayMs: 5000,
      maxAttempts: 10,
      breaker: noBreaker,
    });
    await failure(client.createCharge({ amount: 5, currency: "eur" }));
    because(
      `expected 3 waits of 4500 ms and 4 requests (a 4th wait would end at 18000 ms), saw ${JSON.stringify(clock.sleeps)} and ${provider.requests.length}`,
      () => {
        expect(clock.sleeps).toEqual([4500, 4500, 4500]);
        expect(provider.requests).toHaveLength(4);
      },
    );
  });

  it("[R2.3] really waits when sleep is left out", async () => {
    const provider = await startFakeProvider(secretKey);
    provider.script({ status: 503 });
    const client = await createPaymentClient(learner, {
      baseUrl: provider.url,
      secretKey,
      random: fixedRandom(1).draw,
      baseDelayMs: 300,
      breaker: noBreaker,
    });
    await client.createCharge({ amount: 5, currency: "eur" });
    const gap = (provider.requests[1]?.at ?? 0) - (provider.requests[0]?.at ?? 0);
    because(
      `expected the second request at least 300 ms after the first (random() = 1, base 300), saw ${gap} ms`,
      () => expect(gap).toBeGreaterThanOrEqual(290),
    );
  });

  it("[R2.4, R2.6] reads an HTTP-date Retry-After against the real clock when now is left out", async () => {
    const clock = manualClock();
    const provider = await startFakeProvider(secretKey);
    provider.script({ status: 429, retryAfter: new Date(Date.now() + 5000).toUTCString() });
    const client = await createPaymentClient(learner, {
      baseUrl: provider.url,
      secretKey,
      sleep: clock.sleep,
      breaker: noBreaker,
    });
    await client.createCharge({ amount: 5, currency: "eur" });
    because(
      `expected one wait of about 4000 to 5000 ms (the date has whole seconds), saw ${JSON.stringify(clock.sleeps)}`,
      () => {
        expect(clock.sleeps).toHaveLength(1);
        expect(clock.sleeps[0]).toBeGreaterThan(3000);
        expect(clock.sleeps[0]).toBeLessThanOrEqual(5000);
      },
    );
  });
});
