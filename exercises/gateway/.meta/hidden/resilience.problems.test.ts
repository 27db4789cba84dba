import { manualClock, seededRandom, useLearner } from "@backend-sandbox/testkit";
import { expectProblem } from "#support/problem";
import { send } from "#support/send";
import { serveGateway } from "#support/serve-gateway";
import { slow, startUpstream, status } from "#support/upstream";

const learner = useLearner();

const random = seededRandom();
const seed = `(seed ${random.seed})`;

describe("resilience: the gateway's own errors", () => {
  it("[R1.6, R5.1, R5.2, R5.5] answers 504, 502 and an open circuit's 503 as problem documents with a title, a detail and the status", async () => {
    const slowOne = await startUpstream("slow");
    const down = await startUpstream("down");
    await down.stop();
    const failing = await startUpstream("failing");
    failing.behaviour = status(500);
    const { url } = await serveGateway(learner, {
      routes: [
        { name: "slow", prefix: "/slow", upstream: "slow", public: true },
        { name: "down", prefix: "/down", upstream: "down", public: true },
        { name: "failing", prefix: "/failing", upstream: "failing", public: true },
      ],
      upstreams: { slow: [slowOne.url], down: [down.url], failing: [failing.url] },
      upstreamTimeoutMs: 300,
      breaker: { failureThreshold: 5, cooldownMs: random.int(10, 60) * 1000 },
      now: manualClock().now,
    });
    slowOne.behaviour = slow(2000, status(200));

    const timedOut = await send(url, "/slow/x");
    const refused = await send(url, "/down/x");
    for (let i = 0; i < 5; i += 1) await send(url, "/failing/x");
    const open = await send(url, "/failing/x");

    expectProblem(
      timedOut,
      504,
      `a request to an upstream that answers after 2 s (timeout 300 ms) ${seed}`,
    );
    expectProblem(refused, 502, `a request to an upstream that refuses connections ${seed}`);
    expectProblem(open, 503, `a request to an upstream whose circuit is open ${seed}`);
  });
});
