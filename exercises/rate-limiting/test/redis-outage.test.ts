// Stage redis-outage: with Redis down the limiter answers fast, fails open or closed, and recovers alone.
import { within } from "@backend-sandbox/testkit";
import { get, isProblem } from "#support/http";
import { eventually, outageRedis } from "#support/outage-redis";
import { startApp } from "#support/start-app";

describe("redis-outage", () => {
  it("[R6.1, R6.2, R6.5] answers 503 within a second while Redis is stopped (fail closed), then 200 once it is back", async () => {
    const { server, newClient } = await outageRedis();
    const url = await startApp({
      redis: await newClient(),
      policy: { name: "default", algorithm: "fixed-window", limit: 100, windowSeconds: 60 },
      failMode: "closed",
      redisTimeoutMs: 200,
    });
    expect((await eventually(5000, () => get(url, "alice"), (reply) => reply.status === 200)).status).toBe(200);

    await server.stop();
    const refused = await within(1000, "an answer while Redis is stopped", get(url, "alice"));
    expect(refused.status).toBe(503);
    expect(isProblem(refused)).toBe(true);
    expect(refused.headers.get("retry-after")).toMatch(/^\d+$/);

    await server.start();
    const back = await eventually(15_000, () => get(url, "alice"), (reply) => reply.status === 200);
    expect(back.status).toBe(200);
  });
});
