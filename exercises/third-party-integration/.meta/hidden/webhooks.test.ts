import { because, seededRandom, useServices } from "@backend-sandbox/testkit";
import { startCheckout } from "#support/checkout-service";
import { eventBody, signature, signatureHeader } from "#support/webhook-signing";

const services = useServices();
const random = seededRandom();
const secret = `whsec_${random.token(32)}`;
let checkout: Awaited<ReturnType<typeof startCheckout>>;
beforeAll(async () => void (checkout = await startCheckout(services.pg, secret)));

const newEvent = (amount = random.int(100, 50_000)) => {
  const paymentId = `pay_${random.token()}`;
  return { paymentId, body: eventBody(`evt_${random.token()}`, "payment.succeeded", { id: paymentId, amount, status: "succeeded", version: 1 }) };
};
const paymentRows = async (paymentId: string) =>
  (await services.pg.query("SELECT status FROM payments WHERE id = $1", [paymentId])).rowCount;

describe("webhooks", () => {
  it("verifies the signature over the raw bytes: odd spacing, key order and \\u escapes are kept", async () => {
    const { paymentId, body } = newEvent();
    const response = await checkout.deliver(body, signatureHeader(secret, checkout.unixNow(), body));
    because(`expected 200 for a body signed exactly as sent, got ${response.status} (seed ${random.seed})`, () =>
      expect(response.status).toBe(200));
    const recorded = await paymentRows(paymentId);
    because("expected the payment to be recorded", () => expect(recorded).toBe(1));
  });

  it("rejects forged or malformed signatures with 400, and records nothing", async () => {
    const { paymentId, body } = newEvent();
    const t = checkout.unixNow();
    const good = signature(secret, t, body);
    const cases: [string, string | undefined, string?][] = [
      ["no Stripe-Signature header", undefined],
      ["no t=", `v1=${good}`],
      ["a t= that is not a number", `t=soon,v1=${good}`],
      ["no v1=", `t=${t}`],
      ["only a v0= signature", `t=${t},v0=${good}`],
      ["a v1 made with another secret", signatureHeader(`${secret}0`, t, body)],
      ["a v1 for a body with one byte changed", signatureHeader(secret, t, body.replace('"amount": ', '"amount": 1'))],
      ["a v1 for another timestamp", `t=${t},v1=${signature(secret, t - 1, body)}`],
      ["a v1 one character short", `t=${t},v1=${good.slice(0, -1)}`],
      ["a v1 twice as long", `t=${t},v1=${good}${good}`],
      ["an empty v1", `t=${t},v1=`],
      ["a v1 that is not hex", `t=${t},v1=${"zz".repeat(32)}`],
    ];
    for (const [what, header] of cases) {
      const response = await checkout.deliver(body, header);
      because(`expected 400 for ${what}, got ${response.status}`, () => expect(response.status).toBe(400));
    }
    const recorded = await paymentRows(paymentId);
    because("expected no payment recorded from any rejected delivery", () => expect(recorded).toBe(0));
  });

  it("accepts a header with several v1 values if any one matches (secret rotation)", async () => {
    for (const order of ["ours last", "ours first"]) {
      const { body } = newEvent();
      const t = checkout.unixNow();
      const ours = `v1=${signature(secret, t, body)}`;
      const old = `v1=${signature(`whsec_old_${random.token()}`, t, body)}`;
      const header = order === "ours last" ? `t=${t},${old},${ours},v0=abc` : `t=${t},${ours},${old}`;
      const response = await checkout.deliver(body, header);
      because(`expected 200 with our signature ${order} among several v1, got ${response.status}`, () => expect(response.status).toBe(200));
    }
  });

  it.each([
    [-301, 400], [-299, 200], [299, 200], [301, 400], [-86_400, 400], [600, 400],
  ])("answers a timestamp %i s from now with %i (tolerance 300 s)", async (offset, status) => {
    const { body } = newEvent();
    const response = await checkout.deliver(body, signatureHeader(secret, checkout.unixNow() + offset, body));
    because(`expected ${status} for a signature timestamped ${offset} s from now, got ${response.status}`, () =>
      expect(response.status).toBe(status));
  });

  it("answers 400 to a correctly signed body that is not a payment event", async () => {
    for (const body of ["not json", "[]", '{"id": 5}', '{"id": "evt_1", "type": "payment.succeeded"}']) {
      const response = await checkout.deliver(body, signatureHeader(secret, checkout.unixNow(), body));
      because(`expected 400 for the signed body ${body}, got ${response.status}`, () => expect(response.status).toBe(400));
    }
  });
});
