import { setTimeout as sleep } from "node:timers/promises";
import {
  because,
  eventually,
  manualClock,
  seededRandom,
  useLearner,
} from "@backend-sandbox/testkit";
import { expectProblem } from "#support/problem";
import { send, type RawReply } from "#support/send";
import { serveGateway } from "#support/serve-gateway";
import { startUpstream, type Upstream } from "#support/upstream";

const learner = useLearner();

const random = seededRandom();
const seed = `(seed ${random.seed})`;

async function pool(
  count: number,
  extra: { healthCheckIntervalMs?: number; healthPath?: string } = {},
) {
  const instances: Upstream[] = [];
  for (let i = 0; i < count; i += 1) instances.push(await startUpstream(`i${i}`, extra.healthPath));
  const { url, gateway } = await serveGateway(learner, {
    routes: [{ name: "catalog", prefix: "/catalog", upstream: "catalog", public: true }],
    upstreams: { catalog: instances.map((i) => i.url) },
    upstreamTimeoutMs: 500,
    ...extra,
  });
  const counts = () => instances.map((i) => i.received.length);
  const reset = () =>
    instances.forEach((i) => {
      i.received.length = 0;
    });
  const run = async (n: number) => {
    for (let i = 0; i < n; i += 1) await send(url, "/catalog/items");
  };
  return { instances, url, gateway, counts, reset, run };
}

describe("load-balancing", () => {
  it("[R6.1] takes turns: sequential and concurrent requests are spread evenly over the instances", async () => {
    const rounds = random.int(2, 5);
    const { url, counts, reset, run } = await pool(3);

    await run(3 * rounds);
    const sequential = counts();
    reset();
    await Promise.all(Array.from({ length: 30 }, () => send(url, "/catalog/items")));

    because(
      `expected ${rounds}/${rounds}/${rounds} for ${3 * rounds} sequential requests and 10/10/10 for 30 concurrent; saw ${sequential.join("/")} and ${counts().join("/")} ${seed}`,
      () => {
        expect(sequential).toEqual([rounds, rounds, rounds]);
        expect(counts()).toEqual([10, 10, 10]);
      },
    );
  });

  it("[R6.2] removes an instance failing its health check at the default /healthz and brings it back once it passes again", async () => {
    const sick = random.int(0, 2);
    const { instances, gateway, counts, reset, run } = await pool(3);

    instances[sick]!.healthy = false;
    await gateway.checkHealth();
    await run(8);
    const without = counts();
    reset();
    instances[sick]!.healthy = true;
    await gateway.checkHealth();
    await run(9);

    const expectedWithout = [4, 4, 4].map((n, i) => (i === sick ? 0 : n));
    because(
      `expected ${expectedWithout.join("/")} while instance ${sick} is unhealthy, 3/3/3 once healthy; saw ${without.join("/")} then ${counts().join("/")} ${seed}`,
      () => {
        expect(without).toEqual(expectedWithout);
        expect(counts()).toEqual([3, 3, 3]);
      },
    );
  });

  it("[R6.2] treats an instance that is down as unhealthy, and a slow health answer too", async () => {
    const { instances, gateway, counts, run } = await pool(3, { healthPath: "/status/health" });
    await instances[0]!.stop();
    instances[2]!.healthDelayMs = 5000; // healthy, but answers long after the 500 ms timeout

    const started = performance.now();
    await gateway.checkHealth();
    const checkMs = performance.now() - started;
    await run(4);

    because(
      `expected only instance 1 in rotation (saw ${counts().join("/")}), after a health check that finished in ${Math.round(checkMs)} ms`,
      () => {
        expect(counts()).toEqual([0, 4, 0]);
        expect(checkMs).toBeLessThan(3000);
        expect(instances[1]!.probes).toBeGreaterThan(0);
      },
    );
  });

  it("[R6.4] answers 503 without calling anyone when no instance is healthy", async () => {
    const { instances, gateway, url, counts } = await pool(2);
    instances.forEach((i) => {
      i.healthy = false;
    });
    await gateway.checkHealth();

    const answer = await send(url, "/catalog/items");

    expectProblem(answer, 503, "a request when no instance is healthy");
    because(`expected no upstream request; saw ${counts().join("/")}`, () => {
      expect(counts()).toEqual([0, 0]);
    });
  });

  it("[R6.3] runs health checks on its own when healthCheckIntervalMs is set", async () => {
    const { instances, counts, reset, run } = await pool(2, { healthCheckIntervalMs: 50 });

    instances[0]!.healthy = false;
    const probesBefore = instances[0]!.probes;
    await eventually(
      "two more health probes of instance 0 without a call to checkHealth()",
      () => instances[0]!.probes,
      { until: (n) => n >= probesBefore + 2, timeoutMs: 3000, intervalMs: 20 },
    );
    await sleep(150);
    await run(4);
    const without = counts();
    reset();
    instances[0]!.healthy = true;
    const probesThen = instances[0]!.probes;
    await eventually(
      "two more health probes of instance 0 once it is healthy",
      () => instances[0]!.probes,
      { until: (n) => n >= probesThen + 2, timeoutMs: 3000, intervalMs: 20 },
    );
    await sleep(150);
    await run(4);

    because(
      `expected 0/4 while instance 0 fails its checks and 2/2 after it recovers, with no call to checkHealth(); saw ${without.join("/")} then ${counts().join("/")}`,
      () => {
        expect(without).toEqual([0, 4]);
        expect(counts()).toEqual([2, 2]);
      },
    );
  });

  it("[R6.3, R1.10] stops its own health checks on close()", async () => {
    const { instances, gateway } = await pool(1, { healthCheckIntervalMs: 50 });
    await eventually(
      "two health probes without a call to checkHealth()",
      () => instances[0]!.probes,
      {
        until: (n) => n >= 2,
        timeoutMs: 3000,
        intervalMs: 20,
      },
    );

    await gateway.close();
    const atClose = instances[0]!.probes;
    await sleep(1000);
    const later = instances[0]!.probes;

    because(
      `expected no health probe in the second after close() (one already under way aside), where 50 ms checks would make about 20; saw ${later - atClose}`,
      () => expect(later - atClose).toBeLessThanOrEqual(1),
    );
  });

  it("[R6.3] probes no instance on its own when healthCheckIntervalMs is left out", async () => {
    const { instances, counts, run } = await pool(2);
    instances[0]!.healthy = false;

    await sleep(1500);
    await run(4);

    because(
      `expected no health probe in 1.5 s without healthCheckIntervalMs or checkHealth(), and both instances still in rotation; saw ${instances.map((i) => i.probes).join("/")} probes and ${counts().join("/")} requests`,
      () => {
        expect(instances.map((i) => i.probes)).toEqual([0, 0]);
        expect(counts()).toEqual([2, 2]);
      },
    );
  });

  it("[R6.2] counts any 2xx health answer as healthy and a 3xx as not", async () => {
    const { instances, gateway, counts, run } = await pool(3);
    const healthy = [204, random.int(200, 299)];
    instances[0]!.healthStatus = healthy[0];
    instances[1]!.healthStatus = 300;
    instances[2]!.healthStatus = healthy[1];

    await gateway.checkHealth();
    await run(4);

    because(
      `expected health answers ${healthy[0]}, 300, ${healthy[1]} to leave 2/0/2 for 4 requests; saw ${counts().join("/")} ${seed}`,
      () => expect(counts()).toEqual([2, 0, 2]),
    );
  });

  it("[R5.5, R6.5] does not count a request without a healthy instance as a breaker failure", async () => {
    const threshold = random.int(2, 4);
    const instance = await startUpstream("i0");
    const { url, gateway } = await serveGateway(learner, {
      routes: [{ name: "catalog", prefix: "/catalog", upstream: "catalog", public: true }],
      upstreams: { catalog: [instance.url] },
      upstreamTimeoutMs: 500,
      breaker: { failureThreshold: threshold, cooldownMs: 30_000 },
      now: manualClock().now,
    });
    instance.healthy = false;
    await gateway.checkHealth();

    const none: RawReply[] = [];
    for (let i = 0; i < threshold + 1; i += 1) none.push(await send(url, "/catalog/items"));
    instance.healthy = true;
    await gateway.checkHealth();
    const back = await send(url, "/catalog/items");

    because(
      `expected ${threshold + 1} 503s without a healthy instance (breaker threshold ${threshold}), then 200 once the instance is healthy again; saw ${none.map((a) => a.status).join(", ")}, then ${back.status}${back.headers.get("retry-after") ? ` with Retry-After ${back.headers.get("retry-after")}` : ""} ${seed}`,
      () => {
        expect(none.map((a) => a.status)).toEqual(Array(threshold + 1).fill(503));
        expect(back.status).toBe(200);
        expect(instance.received).toHaveLength(1);
      },
    );
  });

  it("[R5.3, R6.6] reuses its connections to an instance across requests, retries and health checks", async () => {
    const rounds = random.int(8, 12);
    const instance = await startUpstream("i0");
    const { url, gateway } = await serveGateway(learner, {
      routes: [{ name: "catalog", prefix: "/catalog", upstream: "catalog", public: true }],
      upstreams: { catalog: [instance.url] },
      upstreamTimeoutMs: 2000,
      retries: 1,
    });

    const statuses: number[] = [];
    for (let i = 0; i < rounds; i += 1) {
      instance.failNext(1, 503); // answered, discarded, retried
      statuses.push((await send(url, "/catalog/items")).status);
      await gateway.checkHealth();
    }

    because(
      `expected ${rounds} retried requests and ${rounds} health checks, one after another, over a few reused connections (at most 4); the instance accepted ${instance.connections}, answers ${statuses.join(", ")} ${seed}`,
      () => {
        expect(statuses).toEqual(Array(rounds).fill(200));
        expect(instance.connections).toBeLessThanOrEqual(4);
      },
    );
  });
});
