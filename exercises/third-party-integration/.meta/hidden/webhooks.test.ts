import { because, seededRandom, useLearner, useServices } from "@backend-sandbox/testkit";
import { serveApp, startCheckout } from "#support/checkout-service";
import { eventBody } from "#support/payment-event-body";
import { deliverWebhook } from "#support/webhook-delivery";
import { signature, signatureHeader } from "#support/webhook-signing";

const services = useServices();
const learner = useLearner();
const random = seededRandom();
const secret = `whsec_${random.token(32)}`;
let checkout: Awaited<ReturnType<typeof startCheckout>>;
beforeAll(async () => void (checkout = await startCheckout(learner, services.databaseUrl, secret)));

const newEvent = (amount = random.int(100, 50_000)) => {
  const paymentId = `pay_${random.token()}`;
  return {
    paymentId,
    body: eventBody(`evt_${random.token()}`, "payment.succeeded", {
      id: paymentId,
      amount,
      status: "succeeded",
      version: 1,
    }),
  };
};
const paymentRows = async (paymentId: string) =>
  (await services.pg.query("SELECT status FROM payments WHERE id = $1", [paymentId])).rowCount;

describe("webhooks", () => {
  it("[R3.2, R3.7] verifies the signature over the raw bytes: odd spacing, key order and \\u escapes are kept", async () => {
    const { paymentId, body } = newEvent();
    const response = await checkout.deliver(
      body,
      signatureHeader(secret, checkout.unixNow(), body),
    );
    because(
      `expected 200 for a body signed exactly as sent, got ${response.status} (seed ${random.seed})`,
      () => expect(response.status).toBe(200),
    );
    const recorded = await paymentRows(paymentId);
    because("expected the payment to be recorded", () => expect(recorded).toBe(1));
  });

  it("[R3.1, R3.3] accepts a header with several v1 values if any one matches (secret rotation)", async () => {
    for (const order of ["ours last", "ours first"]) {
      const { body } = newEvent();
      const t = checkout.unixNow();
      const ours = `v1=${signature(secret, t, body)}`;
      const old = `v1=${signature(`whsec_old_${random.token()}`, t, body)}`;
      const header =
        order === "ours last" ? `t=${t},${old},${ours},v0=abc` : `t=${t},${ours},${old}`;
      const response = await checkout.deliver(body, header);
      because(
        `expected 200 with our signature ${order} among several v1, got ${response.status}`,
        () => expect(response.status).toBe(200),
      );
    }
  });

  it.each([
    [-301, 400],
    [-300, 200],
    [-299, 200],
    [299, 200],
    [300, 200],
    [301, 400],
    [-86_400, 400],
    [600, 400],
  ])(
    "[R3.5] answers a timestamp %i s from now with %i (tolerance 300 s)",
    async (offset, status) => {
      const { body } = newEvent();
      const response = await checkout.deliver(
        body,
        signatureHeader(secret, checkout.unixNow() + offset, body),
      );
      because(
        `expected ${status} for a signature timestamped ${offset} s from now, got ${response.status}`,
        () => expect(response.status).toBe(status),
      );
    },
  );

  it("[R3.6] answers 400 to a correctly signed body that is not a payment event", async () => {
    for (const body of [
      "not json",
      "[]",
      '{"id": 5}',
      '{"id": "evt_1", "type": "payment.succeeded"}',
    ]) {
      const response = await checkout.deliver(
        body,
        signatureHeader(secret, checkout.unixNow(), body),
      );
      because(`expected 400 for the signed body ${body}, got ${response.status}`, () =>
        expect(response.status).toBe(400),
      );
    }
  });

  it("[R3.6] answers 400 to a signed event with one field of the wrong type or empty, and records nothing", async () => {
    const fields = (paymentId: string) => ({
      id: `"evt_${random.token()}"`,
      type: '"payment.succeeded"',
      paymentId: `"${paymentId}"`,
      amount: "1250",
      status: '"succeeded"',
      version: "2",
    });
    const wrong: [string, Partial<ReturnType<typeof fields>>][] = [
      ["an empty id", { id: '""' }],
      ["an id that is an array", { id: '["evt_1"]' }],
      ["a null id", { id: "null" }],
      ["a numeric type", { type: "7" }],
      ["a missing type", { type: undefined }],
      ["a numeric status", { status: "3" }],
      ["a null status", { status: "null" }],
    ];
    const statuses: string[] = [];
    const paymentIds: string[] = [];
    for (const [what, change] of wrong) {
      const paymentId = `pay_${random.token()}`;
      paymentIds.push(paymentId);
      const f = { ...fields(paymentId), ...change };
      const members = [
        `"id": ${f.id}`,
        ...(f.type === undefined ? [] : [`"type": ${f.type}`]),
        `"created": 1700000000`,
        `"data": {"object": {"id": ${f.paymentId}, "amount": ${f.amount}, "status": ${f.status}, "version": ${f.version}}}`,
      ];
      const body = `{${members.join(", ")}}`;
      const response = await checkout.deliver(
        body,
        signatureHeader(secret, checkout.unixNow(), body),
      );
      statuses.push(`${what}: ${response.status}`);
    }
    const recorded = (
      await services.pg.query("SELECT id FROM payments WHERE id = ANY($1)", [paymentIds])
    ).rowCount;
    because(
      `expected 400 for each, got ${statuses.join("; ")}; and no payment recorded, saw ${recorded} (seed ${random.seed})`,
      () => {
        expect(statuses).toEqual(wrong.map(([what]) => `${what}: 400`));
        expect(recorded).toBe(0);
      },
    );
  });

  it("[R3.5] reads the real clock when createApp is given no now", async () => {
    const url = await serveApp(await learner.process(), {
      databaseUrl: services.databaseUrl,
      webhookSecret: secret,
    });
    const statuses: number[] = [];
    for (const offset of [0, -400, 400]) {
      const { body } = newEvent();
      const t = Math.floor(Date.now() / 1000) + offset;
      const response = await deliverWebhook(url, body, signatureHeader(secret, t, body));
      statuses.push(response.status);
    }
    because(
      `expected [200, 400, 400] for signatures dated now, 400 s ago and in 400 s by the real clock, got [${statuses}]`,
      () => expect(statuses).toEqual([200, 400, 400]),
    );
  });
});
