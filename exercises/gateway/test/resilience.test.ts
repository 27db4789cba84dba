import { manualClock, useLearner } from "@backend-sandbox/testkit";
import { deadUrl } from "#support/dead-url";
import { send } from "#support/send";
import { serveGateway } from "#support/serve-gateway";
import { servePublicRoute } from "#support/serve-public-route";
import { echo, slow, status } from "#support/upstream";

const learner = useLearner();

describe("resilience", () => {
  it("[R5.1] answers 504 when the upstream is slower than the timeout", async () => {
    const { upstream: users, url } = await servePublicRoute(learner, "users", "/users", {
      upstreamTimeoutMs: 250,
    });
    users.behaviour = slow(3000, echo("users"));

    const answer = await send(url, "/users/1");

    expect(answer.status).toBe(504);
    expect(answer.ms).toBeLessThan(1500);
  });

  it("[R5.2] answers 502 when the upstream refuses connections", async () => {
    const { url } = await serveGateway(learner, {
      routes: [{ name: "users", prefix: "/users", upstream: "users", public: true }],
      upstreams: { users: [await deadUrl()] },
    });

    expect((await send(url, "/users/1")).status).toBe(502);
  });

  it("[R5.5] opens the circuit after 3 failures: the 4th request gets 503 without reaching the upstream", async () => {
    const { upstream: users, url } = await servePublicRoute(learner, "users", "/users", {
      breaker: { failureThreshold: 3, cooldownMs: 10_000 },
      now: manualClock().now,
    });
    users.behaviour = status(500);

    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await send(url, "/users/1")).status);

    expect(statuses).toEqual([500, 500, 500, 503]);
    expect(users.received).toHaveLength(3);
  });
});
