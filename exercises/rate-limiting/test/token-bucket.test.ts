// Stage token-bucket: a burst of up to `limit`, then a steady refill of limit/windowSeconds per second.
import { useServices, useLearner, redisClient } from "@backend-sandbox/testkit";
import { get } from "#support/client-requests";
import { startAppOnClock } from "#support/start-app";

const services = useServices();
const learner = useLearner();

describe("token-bucket", () => {
  it("[R4.1, R4.2] refills 5 tokens per 2 s continuously: one token every 400 ms", async () => {
    const { clock, url } = await startAppOnClock(learner, Date.UTC(2026, 0, 1, 12, 0, 0), {
      redis: redisClient(services.redisUrl),
      policy: { name: "default", algorithm: "token-bucket", limit: 5, windowSeconds: 2 },
    });

    for (let i = 1; i <= 5; i++) expect((await get(url, "alice")).status).toBe(200); // the full bucket
    expect((await get(url, "alice")).status).toBe(429);

    clock.advance(300); // 0.75 of a token: not enough
    expect((await get(url, "alice")).status).toBe(429);
    clock.advance(150); // 1.125 tokens since the bucket was empty
    expect((await get(url, "alice")).status).toBe(200);
  });
});
