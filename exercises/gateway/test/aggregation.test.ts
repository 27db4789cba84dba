import { useLearner } from "@backend-sandbox/testkit";
import { send } from "#support/send";
import { serveGateway } from "#support/serve-gateway";
import { startUpstream, status } from "#support/upstream";

const learner = useLearner();

/** Users and orders upstreams behind a /dashboard aggregate of profile (users /me) and orders (orders /recent). */
async function dashboard() {
  const users = await startUpstream("users");
  const orders = await startUpstream("orders");
  const { url } = await serveGateway(learner, {
    routes: [],
    upstreams: { users: [users.url], orders: [orders.url] },
    aggregates: [
      {
        path: "/dashboard",
        parts: {
          profile: { upstream: "users", path: "/me" },
          orders: { upstream: "orders", path: "/recent" },
        },
      },
    ],
  });
  return { users, orders, url };
}

describe("aggregation", () => {
  it("[R7.1] combines the users and orders answers into one", async () => {
    const { url } = await dashboard();

    const answer = await send(url, "/dashboard");

    expect(answer.status).toBe(200);
    expect(answer.body.parts.profile).toMatchObject({ upstream: "users", url: "/me" });
    expect(answer.body.parts.orders).toMatchObject({ upstream: "orders", url: "/recent" });
  });

  it("[R7.2] degrades when one part fails: that part is null and errors gives its status", async () => {
    const { orders, url } = await dashboard();
    orders.behaviour = status(500, "orders");

    const answer = await send(url, "/dashboard");

    expect(answer.status).toBe(200);
    expect(answer.body.parts.profile).toMatchObject({ upstream: "users", url: "/me" });
    expect(answer.body.parts.orders).toBeNull();
    expect(answer.body.errors).toEqual({ orders: { status: 500 } });
  });
});
