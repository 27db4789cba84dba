import { setTimeout as sleep } from "node:timers/promises";
import {
  because,
  manualClock,
  PROBLEM_JSON,
  seededRandom,
  useLearner,
} from "@backend-sandbox/testkit";
import { send } from "#support/send";
import { serveGateway } from "#support/serve-gateway";
import { servePublicRoute } from "#support/serve-public-route";
import { echo, slow, startUpstream, status } from "#support/upstream";

const learner = useLearner();

const random = seededRandom();
const seed = `(seed ${random.seed})`;

async function gateway(failureThreshold: number, cooldownMs = 30_000) {
  const users = await startUpstream("users");
  const orders = await startUpstream("orders");
  const clock = manualClock();
  const { url } = await serveGateway(learner, {
    routes: [
      { name: "users", prefix: "/users", upstream: "users", public: true },
      { name: "orders", prefix: "/orders", upstream: "orders", public: true },
    ],
    upstreams: { users: [users.url], orders: [orders.url] },
    breaker: { failureThreshold, cooldownMs },
    now: clock.now,
  });
  return { users, orders, clock, url };
}

async function statuses(url: string, path: string, count: number) {
  const seen = [];
  for (let i = 0; i < count; i += 1) seen.push((await send(url, path)).status);
  return seen;
}

describe("resilience: circuit breaker", () => {
  it("[R5.5] opens after the threshold of consecutive failures and then fails fast without calling the upstream", async () => {
    const threshold = random.int(2, 5);
    const { users, orders, url } = await gateway(threshold);
    users.behaviour = status(500);

    const failing = await statuses(url, "/users/1", threshold);
    const open = await send(url, "/users/1");
    const other = await send(url, "/orders/1");

    because(
      `expected ${threshold} upstream 500s, then a fast 503 problem with Retry-After that never reaches users; users saw ${users.received.length} requests, answer ${open.status} in ${Math.round(open.ms)} ms ${seed}`,
      () => {
        expect(failing).toEqual(Array(threshold).fill(500));
        expect(open.status).toBe(503);
        expect(open.headers.get("content-type")).toMatch(PROBLEM_JSON);
        expect(Number(open.headers.get("retry-after"))).toBe(30);
        expect(open.ms).toBeLessThan(500);
        expect(users.received).toHaveLength(threshold);
      },
    );
    because("expected the orders upstream, which never failed, to be unaffected", () => {
      expect(other.status).toBe(200);
      expect(orders.received).toHaveLength(1);
    });
  });

  it("[R5.5] counts only consecutive failures: a success in between resets the count", async () => {
    const threshold = random.int(3, 5);
    const { users, url } = await gateway(threshold);

    users.failNext(threshold - 1, 500);
    await statuses(url, "/users/1", threshold);
    users.failNext(threshold - 1, 500);
    await statuses(url, "/users/1", threshold - 1);
    const still = await send(url, "/users/1");

    because(
      `expected the circuit to stay closed after ${threshold - 1} failures, a success and ${threshold - 1} failures (threshold ${threshold}); got ${still.status} ${seed}`,
      () => {
        expect(still.status).toBe(200);
        expect(users.received).toHaveLength(2 * threshold);
      },
    );
  });

  it("[R5.2, R5.5] counts refused connections as failures too", async () => {
    const { users, url } = await gateway(2);
    await users.stop();

    const seen = await statuses(url, "/users/1", 3);

    because(`expected 502, 502, then 503 from the open circuit; saw ${seen.join(", ")}`, () =>
      expect(seen).toEqual([502, 502, 503]),
    );
  });

  it("[R5.6] half-opens after the cool-down: a successful trial closes the circuit", async () => {
    const cooldown = random.int(5, 60) * 1000;
    const { users, clock, url } = await gateway(2, cooldown);
    users.behaviour = status(500);
    await statuses(url, "/users/1", 2);

    clock.advance(cooldown - 1500);
    const early = await send(url, "/users/1");
    clock.advance(1500);
    users.behaviour = echo("users");
    const trial = await send(url, "/users/1");
    const after = await statuses(url, "/users/1", 3);

    because(
      `expected 503 with Retry-After 2 (1.5 s rounded up) 1.5 s before the end of a ${cooldown} ms cool-down, then a trial that reaches the upstream and closes the circuit ${seed}`,
      () => {
        expect(early.status).toBe(503);
        expect(Number(early.headers.get("retry-after"))).toBe(2);
        expect(trial.status).toBe(200);
        expect(after).toEqual([200, 200, 200]);
        expect(users.received).toHaveLength(2 + 1 + 3);
      },
    );
  });

  it("[R5.6] half-opens after the cool-down: a failed trial opens the circuit again at once", async () => {
    const { users, clock, url } = await gateway(3, 10_000);
    users.behaviour = status(500);
    await statuses(url, "/users/1", 3);

    clock.advance(10_000);
    const trial = await send(url, "/users/1");
    const reopened = await send(url, "/users/1");

    because(
      `expected the trial to reach the upstream (500) and the next request to get 503 without reaching it; users saw ${users.received.length}, answers ${trial.status}, ${reopened.status}`,
      () => {
        expect([trial.status, reopened.status]).toEqual([500, 503]);
        expect(users.received).toHaveLength(4);
      },
    );
  });

  it("[R5.6] lets exactly one trial through when concurrent requests arrive after the cool-down", async () => {
    const { users, clock, url } = await gateway(2, 10_000);
    users.behaviour = status(500);
    await statuses(url, "/users/1", 2);
    clock.advance(10_000);
    users.behaviour = slow(1500, echo("users")); // the trial stays in flight while the others arrive

    const answers = await Promise.all(Array.from({ length: 6 }, () => send(url, "/users/1")));
    const after = await send(url, "/users/1");

    const codes = answers.map((a) => a.status).sort();
    const refused = answers.filter((a) => a.status === 503);
    because(
      `expected one trial (200) and five fast 503s with Retry-After while it was in flight, then a closed circuit; saw ${codes.join(", ")}, the upstream got ${users.received.length - 2} of the 6, then ${after.status} ${seed}`,
      () => {
        expect(codes).toEqual([200, 503, 503, 503, 503, 503]);
        expect(users.received).toHaveLength(2 + 1 + 1);
        for (const answer of refused)
          expect(Number(answer.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
        expect(after.status).toBe(200);
      },
    );
  });

  it("[R5.6] measures the cool-down with Date.now when now is left out", async () => {
    const { upstream: users, url } = await servePublicRoute(learner, "users", "/users", {
      breaker: { failureThreshold: 2, cooldownMs: 1000 },
    });
    users.behaviour = status(500);
    await statuses(url, "/users/1", 2);
    const open = await send(url, "/users/1");
    users.behaviour = echo("users");
    await sleep(1500);

    const trial = await send(url, "/users/1");

    because(
      `expected 503 right after opening and 200 once the 1 s cool-down had passed in real time; saw ${open.status}, then ${trial.status}`,
      () => {
        expect(open.status).toBe(503);
        expect(trial.status).toBe(200);
      },
    );
  });

  it("[R5.5] has no breaker when breaker is left out: failures never make the gateway refuse", async () => {
    const { upstream: users, url } = await servePublicRoute(learner, "users", "/users");
    users.failNext(12, 500);

    const seen = await statuses(url, "/users/1", 13);

    because(
      `expected twelve upstream 500s and then 200, all reaching the upstream; saw ${seen.join(", ")}`,
      () => {
        expect(seen).toEqual([...Array(12).fill(500), 200]);
        expect(users.received).toHaveLength(13);
      },
    );
  });
});
