// Stage headers: RateLimit-Policy and RateLimit (draft-ietf-httpapi-ratelimit-headers, -08 syntax) on every answer.
import { useServices, useLearner, redisClient } from "@backend-sandbox/testkit";
import { get } from "#support/client-requests";
import { rateLimitFields } from "#support/rate-limit-fields";
import { startAppOnClock } from "#support/start-app";

const services = useServices();
const learner = useLearner();

describe("headers", () => {
  it("[R2.1, R2.2, R2.3] tells the client its policy, what remains and when quota comes back, 429s included", async () => {
    // A 60 s window starts at 12:00:00.
    const { clock, url } = await startAppOnClock(learner, Date.UTC(2026, 0, 1, 12, 0, 0), {
      redis: redisClient(services.redisUrl),
      policy: { name: "default", algorithm: "fixed-window", limit: 2, windowSeconds: 60 },
    });

    clock.advance(20_000); // 40 s left in the window
    const replies = [await get(url, "alice"), await get(url, "alice"), await get(url, "alice")];

    expect(replies.map((reply) => reply.status)).toEqual([200, 200, 429]);
    expect(replies.map(rateLimitFields)).toEqual([
      { policy: { name: "default", q: 2, w: 60 }, limit: { name: "default", r: 1, t: 40 } },
      { policy: { name: "default", q: 2, w: 60 }, limit: { name: "default", r: 0, t: 40 } },
      { policy: { name: "default", q: 2, w: 60 }, limit: { name: "default", r: 0, t: 40 } },
    ]);
    // On the wire, e.g.: RateLimit-Policy: "default";q=2;w=60  and  RateLimit: "default";r=1;t=40
  });
});
