import { inspect } from "node:util";
import {
  because,
  type ManualClock,
  seededRandom,
  useLearner,
  fixedRandom,
} from "@backend-sandbox/testkit";
import type { PaymentClientOptions } from "#src/payment-client";
import { startFakeProviderOnClock, type FakeProvider } from "#support/fake-provider";
import { failure } from "#support/failure";
import { createPaymentClient } from "#support/payment-client";

const learner = useLearner();
const random = seededRandom();
const secretKey = `sk_test_${random.token(20)}`;
// The circuit breaker is stage 6: here it is configured never to open, so these tests check retries
// alone, whatever a finished breaker does when a retrying operation trips it (README R6.4).
const noBreaker = { failureThreshold: 1_000_000, cooldownMs: 1 };
const clientFor = (
  provider: FakeProvider,
  clock: ManualClock,
  options: Partial<PaymentClientOptions> = {},
) =>
  createPaymentClient(learner, {
    baseUrl: provider.url,
    secretKey,
    sleep: clock.sleep,
    now: clock.now,
    random: fixedRandom(0.5).draw,
    baseDelayMs: 100,
    maxDelayMs: 10_000,
    maxAttempts: 5,
    deadlineMs: 60_000,
    breaker: noBreaker,
    ...options,
  });
const setup = () => startFakeProviderOnClock(secretKey);
// An instant in each HTTP-date form of RFC 9110 §5.6.7 (asctime pads a one-digit day with a space).
const httpDates = (ms: number) => {
  const [day, dd, month, year, time] = new Date(ms).toUTCString().replace(",", "").split(" ");
  const weekday = new Date(ms).toLocaleDateString("en-US", { weekday: "long", timeZone: "UTC" });
  return {
    imfFixdate: `${day}, ${dd} ${month} ${year} ${time} GMT`,
    rfc850: `${weekday}, ${dd}-${month}-${year!.slice(2)} ${time} GMT`,
    asctime: `${day} ${month} ${dd!.replace(/^0/, " ")} ${time} ${year}`,
  };
};

describe("retries", () => {
  it("[R2.1, R2.2, R2.3] retries 503, 502 and 500, with the same idempotency key, and the provider charges once", async () => {
    const { clock, provider } = await setup();
    provider.script({ status: 503 }, { status: 502 }, { status: 500 });
    const charge = await (
      await clientFor(provider, clock)
    ).createCharge({ amount: 700, currency: "eur" });
    because(
      `expected 4 requests with one Idempotency-Key and waits [50, 100, 200]; saw ${provider.requests.length} requests, waits ${JSON.stringify(clock.sleeps)}`,
      () => {
        expect(new Set(provider.requests.map((r) => r.idempotencyKey)).size).toBe(1);
        expect(provider.requests).toHaveLength(4);
        expect(clock.sleeps).toEqual([50, 100, 200]);
        expect(charge.id).toBe("ch_1");
      },
    );
  });

  it("[R2.1, R2.2] retries a charge whose answer was lost with the same key, so the customer is charged once", async () => {
    const { clock, provider } = await setup();
    provider.script({ drop: "after-charge" }, { drop: "before" }, { drop: "after-charge" });
    const charge = await (
      await clientFor(provider, clock)
    ).createCharge({ amount: 1999, currency: "eur" });
    because(
      `expected exactly 1 charge at the provider after 4 attempts; saw ${provider.charges.size}`,
      () => {
        expect(provider.requests).toHaveLength(4);
        expect(provider.charges.size).toBe(1);
        expect(charge).toMatchObject({ id: "ch_1", amount: 1999 });
      },
    );
  });

  it("[R1.4, R2.1, R2.2] retries a request that timed out", async () => {
    const { clock, provider } = await setup();
    provider.script({ delayMs: 8000 });
    const charge = await (
      await clientFor(provider, clock, { timeoutMs: 1500 })
    ).createCharge({
      amount: 5,
      currency: "eur",
    });
    because("expected a second attempt, with the same key, after the first timed out", () => {
      expect(provider.requests).toHaveLength(2);
      expect(provider.requests[1]?.idempotencyKey).toBe(provider.requests[0]?.idempotencyKey);
      expect(charge.amount).toBe(5);
    });
  });

  it.each([400, 401, 402, 403, 404, 409, 422])("[R2.1] never retries a %i", async (status) => {
    const { clock, provider } = await setup();
    provider.otherwise({ status, retryAfter: "1" });
    await failure((await clientFor(provider, clock)).createCharge({ amount: 5, currency: "eur" }));
    because(`expected 1 request for a ${status}, saw ${provider.requests.length}`, () =>
      expect(provider.requests).toHaveLength(1),
    );
  });

  // HTTP-dates some seconds ahead, on the clock's first day (1 January 2030) or a later one, which
  // asctime writes with two digits.
  const dateIn = random.int(2, 59) * 1000;
  const laterDay = random.int(9, 27);
  it.each([
    ["delay-seconds", (_now: number) => "2", 2000, 0],
    ["an IMF-fixdate", (now: number) => httpDates(now + dateIn).imfFixdate, dateIn, 0],
    ["an RFC 850 date", (now: number) => httpDates(now + dateIn).rfc850, dateIn, 0],
    [
      "an asctime date with a one-digit day",
      (now: number) => httpDates(now + dateIn).asctime,
      dateIn,
      0,
    ],
    [
      "an asctime date with a two-digit day",
      (now: number) => httpDates(now + dateIn).asctime,
      dateIn,
      laterDay,
    ],
  ])(
    "[R2.4] waits as long as a 429's Retry-After says, given as %s",
    async (_form, header, expected, days) => {
      const { clock, provider } = await setup();
      clock.advance(days * 86_400_000);
      const retryAfter = header(clock.now());
      provider.script({ status: 429, retryAfter });
      await (await clientFor(provider, clock)).createCharge({ amount: 5, currency: "eur" });
      because(
        `expected one wait of ${expected} ms for "Retry-After: ${retryAfter}", saw ${JSON.stringify(clock.sleeps)} (seed ${random.seed})`,
        () => {
          expect(provider.requests).toHaveLength(2);
          expect(clock.sleeps).toEqual([expected]);
        },
      );
    },
  );

  it("[R2.3, R2.5] backs off exponentially with full jitter, capped at maxDelayMs", async () => {
    for (const [r, expected] of [
      [0.75, [75, 150, 300, 375, 375]],
      [0, [0, 0, 0, 0, 0]],
    ] as const) {
      const { clock, provider } = await setup();
      provider.otherwise({ status: 503 });
      const client = await clientFor(provider, clock, {
        random: fixedRandom(r).draw,
        maxDelayMs: 500,
        maxAttempts: 6,
      });
      await failure(client.createCharge({ amount: 5, currency: "eur" }));
      because(
        `expected waits ${JSON.stringify(expected)} for random() = ${r}, base 100, cap 500; saw ${JSON.stringify(clock.sleeps)}`,
        () => expect(clock.sleeps).toEqual(expected),
      );
    }
  });

  it("[R2.5] stops after maxAttempts and reports the last failure", async () => {
    const { clock, provider } = await setup();
    provider.otherwise({ status: 503 });
    const error = await failure(
      (await clientFor(provider, clock, { maxAttempts: 3 })).createCharge({
        amount: 5,
        currency: "eur",
      }),
    );
    because(
      `expected 3 requests then { code: "unavailable", attempts: 3 }, saw ${provider.requests.length} and ${inspect(error)}`,
      () => {
        expect(provider.requests).toHaveLength(3);
        expect(error).toMatchObject({ code: "unavailable", status: 503, attempts: 3 });
      },
    );
  });

  it("[R2.4, R2.6] never waits or sends past the operation's deadline, Retry-After included", async () => {
    const { clock, provider } = await setup();
    provider.script(
      { status: 503 },
      { status: 503 },
      { status: 503 },
      { status: 429, retryAfter: "3600" },
    );
    const start = clock.now();
    const error = await failure(
      (
        await clientFor(provider, clock, {
          baseDelayMs: 1000,
          maxAttempts: 10,
          deadlineMs: 9000,
        })
      ).createCharge({ amount: 5, currency: "eur" }),
    );
    const waited = clock.sleeps.reduce((a, b) => a + b, 0);
    const late = provider.requests.filter((r) => r.at - start > 9000);
    because(
      `expected no request later than 9000 ms and no more than 9000 ms of waiting; waited ${JSON.stringify(clock.sleeps)}`,
      () => {
        expect(error).toBeDefined();
        expect(late).toHaveLength(0);
        expect(waited).toBeLessThanOrEqual(9000);
        expect(provider.requests.length).toBeGreaterThanOrEqual(3);
      },
    );
  });

  it("[R2.4] honours a 503's Retry-After of several digits, and ignores one with other characters", async () => {
    const { clock, provider } = await setup();
    provider.script(
      { status: 503, retryAfter: "5s" },
      { status: 503, retryAfter: "s5" },
      { status: 503, retryAfter: "12" },
    );
    await (await clientFor(provider, clock)).createCharge({ amount: 5, currency: "eur" });
    because(
      `expected waits [50, 100, 12000] (backoff for "5s" and "s5", then 12 s), saw ${JSON.stringify(clock.sleeps)}`,
      () => expect(clock.sleeps).toEqual([50, 100, 12_000]),
    );
  });

  it("[R2.6] still waits when elapsed + wait is exactly deadlineMs", async () => {
    const { clock, provider } = await setup();
    provider.script({ status: 503 }, { status: 503 });
    const charge = await (
      await clientFor(provider, clock, { deadlineMs: 150 })
    ).createCharge({ amount: 5, currency: "eur" });
    because(
      `expected waits [50, 100] (50 + 100 = deadlineMs 150) and a third request; saw ${JSON.stringify(clock.sleeps)} and ${provider.requests.length} requests`,
      () => {
        expect(clock.sleeps).toEqual([50, 100]);
        expect(provider.requests).toHaveLength(3);
        expect(charge.id).toBe("ch_1");
      },
    );
  });

  it("[R2.4] ignores a Retry-After that is neither digits nor an HTTP-date, even one Date.parse reads as a date", async () => {
    const { clock, provider } = await setup();
    const [n, m] = [random.int(1, 9), random.int(1, 9)];
    const unreadable = [
      `-${n}`,
      `${n}.${m}`,
      `+${n}`,
      `${n} ${m}`,
      new Date(clock.now() + 5000).toISOString(),
    ];
    provider.script(
      ...unreadable.map((retryAfter, i) => ({ status: i % 2 ? 503 : 429, retryAfter })),
    );
    await (
      await clientFor(provider, clock, { maxAttempts: 6 })
    ).createCharge({ amount: 5, currency: "eur" });
    const seen = unreadable.map((value, i) => `${JSON.stringify(value)}: ${clock.sleeps[i]}`);
    because(
      `expected the backoff [50, 100, 200, 400, 800] after each unreadable Retry-After, saw ${seen.join(", ")} (seed ${random.seed})`,
      () => expect(clock.sleeps).toEqual([50, 100, 200, 400, 800]),
    );
  });

  it("[R2.4] ignores an HTTP-date with text before or after it", async () => {
    const { clock, provider } = await setup();
    const dates = Object.values(httpDates(clock.now() + dateIn));
    const unreadable = [
      ...dates.map((date) => `not before ${date}`),
      ...dates.map((date) => `${date} (UTC)`),
    ];
    provider.script(...unreadable.map((retryAfter) => ({ status: 503, retryAfter })));
    await (
      await clientFor(provider, clock, { maxAttempts: 7 })
    ).createCharge({ amount: 5, currency: "eur" });
    const seen = unreadable.map((value, i) => `${JSON.stringify(value)}: ${clock.sleeps[i]}`);
    because(
      `expected the backoff [50, 100, 200, 400, 800, 1600] after each unreadable Retry-After, saw ${seen.join(", ")} (seed ${random.seed})`,
      () => expect(clock.sleeps).toEqual([50, 100, 200, 400, 800, 1600]),
    );
  });

  it("[R2.4] ignores an unreadable Retry-After and one on a 500; an HTTP-date in the past means no wait", async () => {
    const { clock, provider } = await setup();
    const past = new Date(clock.now() - 60_000).toUTCString();
    provider.script(
      { status: 503, retryAfter: "soon" },
      { status: 500, retryAfter: "7" },
      { status: 429, retryAfter: past },
    );
    await (await clientFor(provider, clock)).createCharge({ amount: 5, currency: "eur" });
    because(
      `expected waits [50, 100, 0] (backoff, backoff, a past date), saw ${JSON.stringify(clock.sleeps)}`,
      () => expect(clock.sleeps).toEqual([50, 100, 0]),
    );
  });
});
