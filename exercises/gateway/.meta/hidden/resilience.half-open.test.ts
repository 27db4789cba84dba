import { because, manualClock, seededRandom, useLearner } from "@backend-sandbox/testkit";
import { send } from "#support/send";
import { serveGateway } from "#support/serve-gateway";
import { echo, startUpstream, status } from "#support/upstream";

const learner = useLearner();

const random = seededRandom();
const seed = `(seed ${random.seed})`;

async function halfOpen(maxBodyBytes: number) {
  const users = await startUpstream("users");
  const clock = manualClock();
  const { url } = await serveGateway(learner, {
    routes: [{ name: "users", prefix: "/users", upstream: "users", public: true }],
    upstreams: { users: [users.url] },
    breaker: { failureThreshold: 2, cooldownMs: 10_000 },
    maxBodyBytes,
    now: clock.now,
  });
  users.behaviour = status(500);
  for (let i = 0; i < 2; i += 1) await send(url, "/users/1");
  clock.advance(10_000);
  users.behaviour = echo("users");
  return { users, url };
}

describe("resilience: a trial without a verdict", () => {
  it("[R1.8, R5.7] keeps the circuit half-open after a trial cut short with 413: the next request is the trial", async () => {
    const limit = random.int(2000, 6000);
    const { users, url } = await halfOpen(limit);
    const chunks = Array.from({ length: Math.ceil((limit * 3) / 1000) }, () =>
      Buffer.alloc(1000, 7),
    );

    const cut = await send(url, "/users/1", { method: "POST", body: chunks });
    const next = await send(url, "/users/1");
    const after = await send(url, "/users/1");

    because(
      `expected 413 for the trial's chunked body over ${limit} bytes, then a new trial that reaches the upstream (200) and closes the circuit (200); saw ${cut.status}, ${next.status}, ${after.status} ${seed}`,
      () => {
        expect(cut.status).toBe(413);
        expect(next.status).toBe(200);
        expect(after.status).toBe(200);
        // the two failures that opened the circuit, the new trial, and the request after it
        expect(users.received.filter((r) => r.method === "GET")).toHaveLength(4);
      },
    );
  });
});
