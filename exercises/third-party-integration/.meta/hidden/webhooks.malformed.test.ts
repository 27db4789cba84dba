import { because, seededRandom, useLearner, useServices } from "@backend-sandbox/testkit";
import { startCheckout } from "#support/checkout-service";
import { eventBody } from "#support/payment-event-body";
import { signature, signatureHeader } from "#support/webhook-signing";

const services = useServices();
// The learner's process counts the service's calls to timingSafeEqual (R3.4), from before the code
// under test loads: code that took the function out of node:crypto at load is counted too.
const learner = useLearner({ watch: [["node:crypto", "timingSafeEqual"]] });
const timingSafeEqualCalls = () => learner.calls("node:crypto", "timingSafeEqual");
const random = seededRandom();
const secret = `whsec_${random.token(32)}`;
let checkout: Awaited<ReturnType<typeof startCheckout>>;
beforeAll(async () => {
  checkout = await startCheckout(learner, services.databaseUrl, secret);
});

const newEvent = () => {
  const paymentId = `pay_${random.token()}`;
  return {
    paymentId,
    body: eventBody(`evt_${random.token()}`, "payment.succeeded", {
      id: paymentId,
      amount: random.int(100, 50_000),
      status: "succeeded",
      version: 1,
    }),
  };
};
const paymentRows = async (paymentId: string) =>
  (await services.pg.query("SELECT 1 FROM payments WHERE id = $1", [paymentId])).rowCount;

describe("webhooks: malformed signatures", () => {
  it("[R3.1, R3.2, R3.6] rejects every forged or malformed Stripe-Signature with 400, and records nothing", async () => {
    const { paymentId, body } = newEvent();
    const t = checkout.unixNow();
    const good = signature(secret, t, body);
    const junk = () => random.token(64).replace(/[g-z]/g, "f");
    const cases: [string, string | undefined][] = [
      ["no Stripe-Signature header", undefined],
      ["an empty header", ""],
      ["a lone comma", ","],
      ["no t=", `v1=${good}`],
      ["an empty t=", `t=,v1=${good}`],
      ["a t= that is not a number", `t=soon,v1=${good}`],
      ["a t= with a fraction", `t=${t}.0,v1=${good}`],
      ["a negative t=", `t=-${t},v1=${good}`],
      [
        "a t= with a letter after the digits, signed as sent",
        `t=${t}x,v1=${signature(secret, `${t}x`, body)}`,
      ],
      [
        "a t= with a letter before the digits, signed as sent",
        `t=x${t},v1=${signature(secret, `x${t}`, body)}`,
      ],
      [
        "a t= with an = among its digits",
        `t=${String(t).slice(0, 4)}=${String(t).slice(4)},v1=${good}`,
      ],
      ["two t= (the first one signed)", `t=${t},t=${t - 1000},v1=${good}`],
      ["two t= (the last one signed)", `t=${t - 1000},t=${t},v1=${good}`],
      ["no v1=", `t=${t}`],
      ["a v1 without =", `t=${t},v1`],
      ["only a v0= signature", `t=${t},v0=${good}`],
      ["a V1= key in capitals", `t=${t},V1=${good}`],
      ["elements not separated by commas", `t=${t} v1=${good}`],
      ["a v1 made with another secret", signatureHeader(`${secret}0`, t, body)],
      [
        "a v1 for a body with one byte changed",
        signatureHeader(secret, t, body.replace('"amount": ', '"amount": 1')),
      ],
      ["a v1 for another timestamp", `t=${t},v1=${signature(secret, t - 1, body)}`],
      ["a v1 one character short", `t=${t},v1=${good.slice(0, -1)}`],
      ["a v1 one hex digit too long", `t=${t},v1=${good}0`],
      ["a v1 with two extra non-hex characters", `t=${t},v1=${good}zz`],
      ["a v1 twice as long", `t=${t},v1=${good}${good}`],
      ["a v1 with an = among its hex digits", `t=${t},v1=${good.slice(0, 32)}=${good.slice(32)}`],
      ["an empty v1", `t=${t},v1=`],
      ["a v1 that is not hex", `t=${t},v1=${"zz".repeat(32)}`],
      ["a v1 in uppercase hex", `t=${t},v1=${good.toUpperCase()}`],
      ["a v1 in base64", `t=${t},v1=${Buffer.from(good, "hex").toString("base64")}`],
      [
        "a huge header of 180 wrong v1 values",
        [`t=${t}`, ...Array.from({ length: 180 }, () => `v1=${junk()}`)].join(","),
      ],
      ["one huge v1 of 12000 characters", `t=${t},v1=${good.repeat(187).slice(0, 12_000)}`],
    ];
    const wrong: string[] = [];
    for (const [what, header] of cases) {
      const response = await checkout.deliver(body, header);
      if (response.status !== 400) wrong.push(`${what}: ${response.status}`);
    }
    because(
      `expected 400 for every malformed or forged signature; got ${wrong.join("; ") || "none wrong"} (seed ${random.seed})`,
      () => expect(wrong).toEqual([]),
    );
    const recorded = await paymentRows(paymentId);
    because("expected no payment recorded from any rejected delivery", () =>
      expect(recorded).toBe(0),
    );
    const accepted = await checkout.deliver(body, `t=${t},v1=${good}`);
    because(`expected 200 once the header is well-formed, got ${accepted.status}`, () =>
      expect(accepted.status).toBe(200),
    );
  });

  it("[R3.4] compares each well-formed v1 with node:crypto's timingSafeEqual, never with ===", async () => {
    const { body } = newEvent();
    const t = checkout.unixNow();
    const before = await timingSafeEqualCalls();
    const forged = await checkout.deliver(body, signatureHeader(`${secret}_forged`, t, body));
    const forgedCalls = (await timingSafeEqualCalls()) - before;
    const genuine = await checkout.deliver(body, signatureHeader(secret, t, body));
    const genuineCalls = (await timingSafeEqualCalls()) - before - forgedCalls;
    because(
      `expected 400 for a forged and 200 for a genuine signature, got ${forged.status} and ${genuine.status}`,
      () => {
        expect(forged.status).toBe(400);
        expect(genuine.status).toBe(200);
      },
    );
    because(
      `expected timingSafeEqual from node:crypto to compare the forged and the genuine v1 (calls: ${forgedCalls} and ${genuineCalls}); a === or Buffer.equals comparison leaks through its timing how much of a guess was right`,
      () => {
        expect(forgedCalls).toBeGreaterThan(0);
        expect(genuineCalls).toBeGreaterThan(0);
      },
    );
  });

  it("[R3.3, R3.4] compares every well-formed v1 of a rotation header, even after one matched", async () => {
    const { body } = newEvent();
    const t = checkout.unixNow();
    const others = random.int(2, 6);
    const header = [
      `t=${t}`,
      `v1=${signature(secret, t, body)}`,
      ...Array.from({ length: others }, (_, i) => `v1=${signature(`${secret}_old${i}`, t, body)}`),
    ].join(",");
    const before = await timingSafeEqualCalls();
    const response = await checkout.deliver(body, header);
    const calls = (await timingSafeEqualCalls()) - before;
    because(
      `expected 200 and timingSafeEqual called for each of the ${others + 1} v1 values, the matching one first; got ${response.status} and ${calls} calls (seed ${random.seed}). Stopping at the first match makes the work depend on where the valid v1 stands`,
      () => {
        expect(response.status).toBe(200);
        expect(calls).toBeGreaterThanOrEqual(others + 1);
      },
    );
  });
});
