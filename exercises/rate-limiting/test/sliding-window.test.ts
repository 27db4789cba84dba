// Stage sliding-window: no double burst across the boundary of two fixed windows.
import { useServices, useLearner, redisClient } from "@backend-sandbox/testkit";
import { inTurn } from "#support/client-requests";
import { countStatus } from "#support/reply-statuses";
import { startAppOnClock } from "#support/start-app";

const services = useServices();
const learner = useLearner();

describe("sliding-window", () => {
  it("[R3.1] refuses a second burst of 5 that comes 0.2 s after a first burst of 5 (limit 5 per 10 s)", async () => {
    const windowEnd = Date.UTC(2026, 0, 1, 12, 0, 10); // where a fixed 10 s window would end
    const { clock, url } = await startAppOnClock(learner, windowEnd - 100, {
      redis: redisClient(services.redisUrl),
      policy: { name: "default", algorithm: "sliding-window", limit: 5, windowSeconds: 10 },
    });

    const first = await inTurn(url, 5, "alice"); // one after another, at one instant
    clock.advance(200); // just past the fixed window's boundary
    const second = await inTurn(url, 5, "alice");

    expect(countStatus(first, 200)).toBe(5);
    // A sliding log lets none through; a sliding-window counter may let one through (its estimate
    // 5 × 0.99 = 4.95 is still under 5). A fixed window would let all 5 through.
    expect(countStatus(second, 200)).toBeLessThanOrEqual(1);
  });
});
