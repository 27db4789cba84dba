import { useServices } from "@backend-sandbox/testkit";
import { createConsumer, migrate } from "#src/consumers";
import { send } from "#support/send";
import { serveGateway } from "#support/serve-gateway";
import { startUpstream } from "#support/upstream";

const services = useServices();

describe("rate-limits", () => {
  it("lets 3 requests through per window, then answers 429 with Retry-After", async () => {
    await migrate(services.pg);
    await createConsumer(services.pg, { name: "app", apiKey: "key-app-1234567890", routes: ["orders"], rateLimit: 3 });
    const orders = await startUpstream("orders");
    const { url } = await serveGateway({
      pg: services.pg,
      redis: services.redis,
      routes: [{ name: "orders", prefix: "/orders", upstream: "orders" }],
      upstreams: { orders: [orders.url] },
      rateLimitWindowMs: 60_000,
    });

    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 4; i += 1) {
      last = await send(url, "/orders", { headers: { "x-api-key": "key-app-1234567890" } });
      statuses.push(last.status);
    }

    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(Number(last!.headers["retry-after"])).toBeGreaterThanOrEqual(1);
  });
});
