import { because, seededRandom } from "@backend-sandbox/testkit";
import { send, PROBLEM_JSON } from "#support/send";
import { manualClock, serveGateway } from "#support/serve-gateway";
import { echo, startUpstream, status } from "#support/upstream";

const random = seededRandom();
const seed = `(seed ${random.seed})`;

async function gateway(failureThreshold: number, cooldownMs = 30_000) {
  const users = await startUpstream("users");
  const orders = await startUpstream("orders");
  const clock = manualClock();
  const { url } = await serveGateway({
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

    because(`expected ${threshold} upstream 500s, then a fast 503 problem with Retry-After that never reaches users; users saw ${users.received.length} requests, answer ${open.status} in ${Math.round(open.ms)} ms ${seed}`, () => {
      expect(failing).toEqual(Array(threshold).fill(500));
      expect(open.status).toBe(503);
      expect(open.headers["content-type"]).toMatch(PROBLEM_JSON);
      expect(Number(open.headers["retry-after"])).toBe(30);
      expect(open.ms).toBeLessThan(500);
      expect(users.received).toHaveLength(threshold);
    });
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

    because(`expected the circuit to stay closed after ${threshold - 1} failures, a success and ${threshold - 1} failures (threshold ${threshold}); got ${still.status} ${seed}`, () => {
      expect(still.status).toBe(200);
      expect(users.received).toHaveLength(2 * threshold);
    });
  });

  it("[R5.2, R5.5] counts refused connections as failures too", async () => {
    const { users, url } = await gateway(2);
    await users.stop();

    const seen = await statuses(url, "/users/1", 3);

    because(`expected 502, 502, then 503 from the open circuit; saw ${seen.join(", ")}`, () => expect(seen).toEqual([502, 502, 503]));
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

    because(`expected 503 with Retry-After 2 (1.5 s rounded up) 1.5 s before the end of a ${cooldown} ms cool-down, then a trial that reaches the upstream and closes the circuit ${seed}`, () => {
      expect(early.status).toBe(503);
      expect(Number(early.headers["retry-after"])).toBe(2);
      expect(trial.status).toBe(200);
      expect(after).toEqual([200, 200, 200]);
      expect(users.received).toHaveLength(2 + 1 + 3);
    });
  });

  it("[R5.6] half-opens after the cool-down: a failed trial opens the circuit again at once", async () => {
    const { users, clock, url } = await gateway(3, 10_000);
    users.behaviour = status(500);
    await statuses(url, "/users/1", 3);

    clock.advance(10_000);
    const trial = await send(url, "/users/1");
    const reopened = await send(url, "/users/1");

    because(`expected the trial to reach the upstream (500) and the next request to get 503 without reaching it; users saw ${users.received.length}, answers ${trial.status}, ${reopened.status}`, () => {
      expect([trial.status, reopened.status]).toEqual([500, 503]);
      expect(users.received).toHaveLength(4);
    });
  });
});
