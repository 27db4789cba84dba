import { send } from "#support/send";
import { serveGateway } from "#support/serve-gateway";
import { startUpstream } from "#support/upstream";


describe("aggregation", () => {
  it("combines the users and orders answers into one", async () => {
    const users = await startUpstream("users");
    const orders = await startUpstream("orders");
    const { url } = await serveGateway({
      routes: [],
      upstreams: { users: [users.url], orders: [orders.url] },
      aggregates: [{ path: "/dashboard", parts: { profile: { upstream: "users", path: "/me" }, orders: { upstream: "orders", path: "/recent" } } }],
    });

    const answer = await send(url, "/dashboard");

    expect(answer.status).toBe(200);
    expect(answer.json.parts.profile).toMatchObject({ upstream: "users", url: "/me" });
    expect(answer.json.parts.orders).toMatchObject({ upstream: "orders", url: "/recent" });
  });
});
