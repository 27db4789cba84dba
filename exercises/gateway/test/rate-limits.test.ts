import { startLearner, useLearner, useServices } from "@backend-sandbox/testkit";
import { consumers } from "#support/consumers";
import { send } from "#support/send";
import { servePrivateRoutes } from "#support/serve-private-routes";
import { startUpstream } from "#support/upstream";

const services = useServices();
const learner = useLearner();
const { migrate, create: createConsumer } = consumers(learner, services);
beforeAll(() => migrate());

describe("rate-limits", () => {
  it("[R4.1, R4.2] lets exactly 3 of 9 concurrent requests through across two gateway instances, then 429 with Retry-After", async () => {
    await createConsumer({
      name: "app",
      apiKey: "key-app-1234567890",
      routes: ["orders"],
      rateLimit: 3,
    });
    const orders = await startUpstream("orders");
    // Two gateways in two processes, each with its own Redis and Postgres connections: the count
    // must be shared through Redis.
    const one = await servePrivateRoutes(learner, services, [orders], {
      rateLimitWindowMs: 60_000,
    });
    const two = await servePrivateRoutes(await startLearner(), services, [orders], {
      rateLimitWindowMs: 60_000,
    });

    const answers = await Promise.all(
      Array.from({ length: 9 }, (_, i) =>
        send(i % 2 ? one.url : two.url, "/orders", {
          headers: { "x-api-key": "key-app-1234567890" },
        }),
      ),
    );

    const limited = answers.filter((a) => a.status === 429);
    expect(answers.filter((a) => a.status === 200)).toHaveLength(3);
    expect(limited).toHaveLength(6);
    expect(orders.received).toHaveLength(3);
    for (const answer of limited)
      expect(Number(answer.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
  });
});
