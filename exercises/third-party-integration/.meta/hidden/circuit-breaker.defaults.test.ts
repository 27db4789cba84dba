import { inspect } from "node:util";
import { because, useLearner } from "@backend-sandbox/testkit";
import { startFakeProvider, startFakeProviderOnClock } from "#support/fake-provider";
import { failure } from "#support/failure";
import { createPaymentClient } from "#support/payment-client";

const learner = useLearner();
// The breaker's documented defaults, each checked by leaving the option out.

describe("circuit-breaker: defaults", () => {
  it("[R6.2, R6.3] opens after 5 failures and cools down for 30000 ms when breaker is left out", async () => {
    const { clock, provider } = await startFakeProviderOnClock("sk_test_cb");
    const client = await createPaymentClient(learner, {
      baseUrl: provider.url,
      secretKey: "sk_test_cb",
      maxAttempts: 1,
      now: clock.now,
      sleep: clock.sleep,
    });
    const charge = () => failure(client.createCharge({ amount: 100, currency: "eur" }));
    provider.script(...Array(5).fill({ status: 500 }));
    const firstFive: unknown[] = [];
    for (let i = 0; i < 5; i++) firstFive.push(await charge());
    const sixth = await charge();
    clock.advance(29_999);
    const stillOpen = await charge();
    clock.advance(1);
    const probe = await charge();
    because(
      `expected 5 failures to reach the provider, then circuit_open until 30000 ms later, then a successful probe; saw ${provider.requests.length} requests and ${inspect([firstFive[4], sixth, stillOpen, probe])}`,
      () => {
        expect(firstFive[4]).toMatchObject({ code: "unavailable" });
        expect(sixth).toMatchObject({ code: "circuit_open" });
        expect(stillOpen).toMatchObject({ code: "circuit_open" });
        expect(probe).toBeUndefined();
        expect(provider.requests).toHaveLength(6);
      },
    );
  });

  it("[R6.3] times the cool-down with the real clock when now is left out", async () => {
    const provider = await startFakeProvider("sk_test_cb");
    const client = await createPaymentClient(learner, {
      baseUrl: provider.url,
      secretKey: "sk_test_cb",
      maxAttempts: 1,
      breaker: { failureThreshold: 1, cooldownMs: 1000 },
    });
    provider.script({ status: 500 });
    const charge = () => failure(client.createCharge({ amount: 100, currency: "eur" }));
    await charge();
    const open = await charge();
    await new Promise((resolve) => setTimeout(resolve, 1300));
    const probe = await charge();
    because(
      `expected circuit_open at once, then a successful probe 1300 ms later; saw ${inspect([open, probe])}`,
      () => {
        expect(open).toMatchObject({ code: "circuit_open" });
        expect(probe).toBeUndefined();
      },
    );
  });
});
