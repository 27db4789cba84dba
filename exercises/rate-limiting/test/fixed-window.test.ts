// Stage fixed-window: N requests per window per client; the next one gets 429.
import { PROBLEM_JSON, useServices, useLearner, redisClient } from "@backend-sandbox/testkit";
import { get } from "#support/client-requests";
import { startApp, startAppOnClock } from "#support/start-app";

const services = useServices();
const learner = useLearner();

describe("fixed-window", () => {
  it("[R1.1, R1.2, R1.3] lets 5 requests through in a 60 s window and answers the 6th with 429 and Retry-After", async () => {
    // A 60 s window starts at 12:00:00.
    const { clock, url } = await startAppOnClock(learner, Date.UTC(2026, 0, 1, 12, 0, 0), {
      redis: redisClient(services.redisUrl),
      policy: { name: "default", algorithm: "fixed-window", limit: 5, windowSeconds: 60 },
    });

    for (let i = 1; i <= 5; i++) expect((await get(url, "alice")).status).toBe(200);
    clock.advance(15_000); // 45 s left in the window
    const refused = await get(url, "alice");

    expect(refused.status).toBe(429);
    expect(refused.headers.get("content-type")).toMatch(PROBLEM_JSON);
    expect(refused.headers.get("retry-after")).toBe("45");

    clock.advance(45_000); // the next window
    expect((await get(url, "alice")).status).toBe(200);
  });

  it("[R1.4] gives each API key its own budget", async () => {
    const { url } = await startAppOnClock(learner, Date.UTC(2026, 0, 1, 13, 0, 0), {
      redis: redisClient(services.redisUrl),
      policy: { name: "default", algorithm: "fixed-window", limit: 2, windowSeconds: 60 },
    });

    const alice = [await get(url, "alice"), await get(url, "alice"), await get(url, "alice")];
    const bob = await get(url, "bob");

    expect(alice.map((reply) => reply.status)).toEqual([200, 200, 429]);
    expect(bob.status).toBe(200);
  });

  it("[R1.5] refuses a malformed X-API-Key with 400 problem+json", async () => {
    const url = await startApp(learner, {
      redis: redisClient(services.redisUrl),
      policy: { name: "default", algorithm: "fixed-window", limit: 2, windowSeconds: 60 },
    });

    for (const malformed of ["", "has space", "x".repeat(129)]) {
      const reply = await get(url, malformed);
      const problem = PROBLEM_JSON.test(reply.headers.get("content-type") ?? "");
      expect({ key: malformed, status: reply.status, problem }).toEqual({
        key: malformed,
        status: 400,
        problem: true,
      });
    }
  });
});
