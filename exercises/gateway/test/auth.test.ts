import { useServices } from "@backend-sandbox/testkit";
import { createConsumer, migrate } from "#src/consumers";
import { send } from "#support/send";
import { serveGateway } from "#support/serve-gateway";
import { startUpstream } from "#support/upstream";

const services = useServices();

describe("auth", () => {
  it("forwards a request with a valid X-Api-Key and refuses one without", async () => {
    await migrate(services.pg);
    await createConsumer(services.pg, { name: "shop-web", apiKey: "key-web-1234567890", routes: ["orders"], rateLimit: 100 });
    const orders = await startUpstream("orders");
    const { url } = await serveGateway({
      pg: services.pg,
      redis: services.redis,
      routes: [{ name: "orders", prefix: "/orders", upstream: "orders" }],
      upstreams: { orders: [orders.url] },
    });

    const withKey = await send(url, "/orders/7", { headers: { "x-api-key": "key-web-1234567890" } });
    const withoutKey = await send(url, "/orders/7");

    expect(withKey.status).toBe(200);
    expect(withoutKey.status).toBe(401);
    expect(orders.received).toHaveLength(1);
  });
});
