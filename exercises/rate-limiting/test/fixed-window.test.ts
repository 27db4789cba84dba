// Stage fixed-window: N requests per window per client; the next one gets 429.
import { useServices } from "@backend-sandbox/testkit";
import { fakeClock } from "#support/fake-clock";
import { get, isProblem } from "#support/http";
import { startApp } from "#support/start-app";

const services = useServices();

describe("fixed-window", () => {
  it("lets 5 requests through in a 60 s window and answers the 6th with 429 and Retry-After", async () => {
    const clock = fakeClock(Date.UTC(2026, 0, 1, 12, 0, 0)); // a window starts here
    const url = await startApp({
      redis: services.newRedis(),
      policy: { name: "default", algorithm: "fixed-window", limit: 5, windowSeconds: 60 },
      now: clock.now,
    });

    for (let i = 1; i <= 5; i++) expect((await get(url, "alice")).status).toBe(200);
    clock.advance(15_000); // 45 s left in the window
    const refused = await get(url, "alice");

    expect(refused.status).toBe(429);
    expect(isProblem(refused)).toBe(true);
    expect(refused.headers.get("retry-after")).toBe("45");

    clock.advance(45_000); // the next window
    expect((await get(url, "alice")).status).toBe(200);
  });

  it("gives each API key its own budget", async () => {
    const clock = fakeClock(Date.UTC(2026, 0, 1, 13, 0, 0));
    const url = await startApp({
      redis: services.newRedis(),
      policy: { name: "default", algorithm: "fixed-window", limit: 2, windowSeconds: 60 },
      now: clock.now,
    });

    const alice = [await get(url, "alice"), await get(url, "alice"), await get(url, "alice")];
    const bob = await get(url, "bob");

    expect(alice.map((reply) => reply.status)).toEqual([200, 200, 429]);
    expect(bob.status).toBe(200);
  });
});
