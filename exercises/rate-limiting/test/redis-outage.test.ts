// Stage redis-outage: with Redis down the limiter answers fast, fails open or closed, and recovers alone.
import { PROBLEM_JSON, eventually, within, useLearner } from "@backend-sandbox/testkit";
import { get } from "#support/client-requests";
import { outageRedis } from "#support/outage-redis";
import { startApp } from "#support/start-app";

const learner = useLearner();

describe("redis-outage", () => {
  it("[R6.1, R6.2, R6.5] answers 503 within a second while Redis is stopped (fail closed), then 200 once it is back", async () => {
    const { server, client } = await outageRedis();
    const url = await startApp(learner, {
      redis: client(),
      policy: { name: "default", algorithm: "fixed-window", limit: 100, windowSeconds: 60 },
      failMode: "closed",
      redisTimeoutMs: 200,
    });
    await eventually("a 200 while Redis is up", () => get(url, "alice"), {
      until: (reply) => reply.status === 200,
      timeoutMs: 5000,
    });

    await server.stop();
    const refused = await within(1000, "an answer while Redis is stopped", get(url, "alice"));
    expect(refused.status).toBe(503);
    expect(refused.headers.get("content-type")).toMatch(PROBLEM_JSON);
    expect(refused.headers.get("retry-after")).toMatch(/^\d+$/);

    await server.start();
    await eventually("a 200 once Redis is back", () => get(url, "alice"), {
      until: (reply) => reply.status === 200,
      timeoutMs: 15_000,
    });
  });
});
