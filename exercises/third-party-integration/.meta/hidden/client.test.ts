import { inspect } from "node:util";
import {
  because,
  eventually,
  manualClock,
  seededRandom,
  timed,
  useLearner,
  within,
} from "@backend-sandbox/testkit";
import type { PaymentClientOptions } from "#src/payment-client";
import { startFakeProvider, type FakeProvider } from "#support/fake-provider";
import { failure } from "#support/failure";
import { createPaymentClient } from "#support/payment-client";

const learner = useLearner();
const random = seededRandom();
const secretKey = `sk_live_${random.token(32)}`;
const clientFor = (provider: FakeProvider, options: Partial<PaymentClientOptions> = {}) => {
  const clock = manualClock();
  return createPaymentClient(learner, {
    baseUrl: provider.url,
    secretKey,
    sleep: clock.sleep,
    now: clock.now,
    ...options,
  });
};

describe("client", () => {
  it("[R1.1, R1.2] POSTs the charge as JSON with the secret key and an idempotency key, and returns the provider's charge", async () => {
    const provider = await startFakeProvider(secretKey);
    const amount = random.int(100, 99_999);
    const charge = await (
      await clientFor(provider)
    ).createCharge({
      amount,
      currency: "usd",
      orderId: "ord_42",
    });
    const [request] = provider.requests;
    because(`expected the provider's charge for ${amount} (seed ${random.seed})`, () =>
      expect(charge).toEqual({ id: "ch_1", amount, currency: "usd", status: "succeeded" }),
    );
    because(
      `expected Authorization: Bearer <secretKey>, an Idempotency-Key, Content-Type: application/json and the JSON body; saw ${inspect(request)}`,
      () => {
        expect(request?.authorization).toBe(`Bearer ${secretKey}`);
        expect(request?.idempotencyKey).toMatch(/^.{8,255}$/);
        expect(request?.contentType).toMatch(/^application\/json\s*(;|$)/);
        expect(request?.body).toEqual({ amount, currency: "usd", orderId: "ord_42" });
      },
    );
  });

  it("[R1.2] sends a caller's idempotency key as is, and a fresh key for each operation otherwise", async () => {
    const provider = await startFakeProvider(secretKey);
    const client = await clientFor(provider);
    const given = `order-${random.token()}`;
    await client.createCharge({ amount: 100, currency: "eur", idempotencyKey: given });
    await client.createCharge({ amount: 100, currency: "eur" });
    await client.createCharge({ amount: 100, currency: "eur" });
    const keys = provider.requests.map((r) => r.idempotencyKey);
    because(`expected keys [${given}, <new>, <another new>], saw ${JSON.stringify(keys)}`, () => {
      expect(keys[0]).toBe(given);
      expect(new Set(keys).size).toBe(3);
      expect(provider.charges.size).toBe(3);
    });
  });

  it.each([
    [400, "invalid_request"],
    [401, "authentication"],
    [402, "declined"],
    [403, "authentication"],
    [404, "invalid_request"],
    [409, "invalid_request"],
    [422, "invalid_request"],
    [429, "rate_limited"],
    [500, "unavailable"],
    [503, "unavailable"],
  ])(
    "[R1.5] maps a %i from the provider to a PaymentProviderError with code %s",
    async (status, code) => {
      const provider = await startFakeProvider(secretKey);
      provider.otherwise({ status });
      const error = await failure(
        (await clientFor(provider, { maxAttempts: 1 })).createCharge({
          amount: 100,
          currency: "eur",
        }),
      );
      because(
        `expected PaymentProviderError { code: "${code}", status: ${status} }, got ${inspect(error)}`,
        () => {
          expect(error).toMatchObject({ name: "PaymentProviderError", code, status });
        },
      );
    },
  );

  it("[R1.4] gives up on a provider that does not answer within timeoutMs, and closes the connection", async () => {
    const provider = await startFakeProvider(secretKey);
    provider.script({ delayMs: 8000 });
    const client = await createPaymentClient(learner, {
      baseUrl: provider.url,
      secretKey,
      timeoutMs: 500,
      maxAttempts: 1,
    });
    const error = await within(
      4000,
      "the call to fail after its 500 ms timeout",
      failure(client.createCharge({ amount: 1, currency: "eur" })),
    );
    because(`expected code "timeout", got ${inspect(error)}`, () =>
      expect(error).toMatchObject({ code: "timeout" }),
    );
    await eventually("the provider to see the connection closed", () => provider.abandoned > 0, {
      timeoutMs: 2000,
    });
  });

  it("[R1.4] times out after 5000 ms when timeoutMs is left out", async () => {
    const provider = await startFakeProvider(secretKey);
    provider.script({ delayMs: 20_000 });
    const client = await createPaymentClient(learner, {
      baseUrl: provider.url,
      secretKey,
      maxAttempts: 1,
    });
    const { value: error, ms } = await timed(() =>
      within(
        12_000,
        "the call to fail after the default 5000 ms timeout",
        failure(client.createCharge({ amount: 1, currency: "eur" })),
      ),
    );
    because(
      `expected code "timeout" after about 5000 ms, got ${inspect(error)} after ${Math.round(ms)} ms`,
      () => {
        expect(error).toMatchObject({ code: "timeout" });
        expect(ms).toBeGreaterThanOrEqual(4500);
      },
    );
  }, 20_000);

  it("[R1.3] refuses a malformed caller idempotency key with invalid_request, sending nothing", async () => {
    const provider = await startFakeProvider(secretKey);
    const client = await clientFor(provider);
    const malformed: [string, string][] = [
      ["an empty key", ""],
      ["a key of 256 characters", "k".repeat(256)],
      ["a huge key (64 KB)", "k".repeat(65_536)],
      ["a key with a space", "order 1"],
      ["a key with a newline", "order-1\r\nx-injected: 1"],
      ["a key with a tab", "order-1\t"],
      ["a non-ASCII key", "commande-café"],
      ["a key with a control character", "order-\u0000"],
    ];
    for (const [what, idempotencyKey] of malformed) {
      const error = await failure(
        client.createCharge({ amount: 100, currency: "eur", idempotencyKey }),
      );
      because(
        `expected ${what} to reject with { code: "invalid_request", attempts: 0 }, got ${inspect(error)}`,
        () => {
          expect(error).toMatchObject({
            name: "PaymentProviderError",
            code: "invalid_request",
            attempts: 0,
            status: undefined,
          });
        },
      );
    }
    because(`expected no request for a malformed key, saw ${provider.requests.length}`, () =>
      expect(provider.requests).toHaveLength(0),
    );
    const longest = `${"!~".repeat(100)}${random.token(55)}`;
    await client.createCharge({ amount: 100, currency: "eur", idempotencyKey: longest });
    because(
      `expected a 255-character key of visible ASCII to be sent as is (seed ${random.seed})`,
      () => expect(provider.requests.map((r) => r.idempotencyKey)).toEqual([longest]),
    );
  });

  it("[R1.5] maps a dropped connection to code unavailable", async () => {
    const provider = await startFakeProvider(secretKey);
    provider.script({ drop: "before" });
    const error = await failure(
      (await clientFor(provider, { maxAttempts: 1 })).createCharge({ amount: 1, currency: "eur" }),
    );
    because(`expected code "unavailable", got ${inspect(error)}`, () =>
      expect(error).toMatchObject({ code: "unavailable" }),
    );
  });

  it("[R1.6] never puts the secret key in an error or a log line, even when the provider echoes it back", async () => {
    const provider = await startFakeProvider(`${secretKey}_other`); // our key is wrong: 401 echoing it
    provider.script({}, { status: 500 }, { drop: "before" }, { delayMs: 8000 });
    const client = await createPaymentClient(learner, {
      baseUrl: provider.url,
      secretKey,
      maxAttempts: 1,
      timeoutMs: 1500,
    });
    const errors: unknown[] = [];
    for (let i = 0; i < 4; i++)
      errors.push(await failure(client.createCharge({ amount: 1, currency: "eur" })));
    // What the code under test printed (console or otherwise): its process's stdout and stderr,
    // which arrive on pipes of their own, apart from the answers, so give the last lines a moment.
    await new Promise((resolve) => setTimeout(resolve, 250));
    const { output } = await learner.process();
    because(
      `expected 4 requests to reach the provider, the first failing with code "authentication"; saw ${provider.requests.length} and ${inspect(errors[0])}`,
      () => {
        expect(provider.requests).toHaveLength(4);
        expect(errors[0]).toMatchObject({ code: "authentication", status: 401 });
      },
    );
    const seen = errors
      .map((e) => `${String(e)} ${JSON.stringify(e)} ${inspect(e, { depth: 8, showHidden: true })}`)
      .join("\n");
    because(
      `expected no error (message, stack, properties, cause) to contain the secret key (seed ${random.seed})`,
      () => expect(seen.includes(secretKey)).toBe(false),
    );
    because("expected no console output to contain the secret key", () =>
      expect(output.includes(secretKey)).toBe(false),
    );
  });
});
