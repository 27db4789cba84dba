import {
  because,
  eventually,
  PROBLEM_JSON,
  seededRandom,
  useLearner,
} from "@backend-sandbox/testkit";
import { send } from "#support/send";
import { deadUrl } from "#support/dead-url";
import { serveGateway } from "#support/serve-gateway";
import { servePublicRoute } from "#support/serve-public-route";
import { echo, hangUp, slow, startUpstream, type Behaviour } from "#support/upstream";

const learner = useLearner();

const random = seededRandom();
const seed = `(seed ${random.seed})`;

async function gateway(retries = 0, instances?: string[]) {
  const { upstream: svc, url } = await servePublicRoute(learner, "svc", "/svc", {
    upstreamTimeoutMs: 300,
    retries,
    ...(instances && { upstreams: { svc: instances } }),
  });
  return { svc, url };
}

const garbage: Behaviour = (req) => req.socket.end("THIS IS NOT HTTP\r\n\r\n");

describe("resilience", () => {
  it("[R5.1] answers 504 soon after the timeout and abandons the slow upstream request", async () => {
    const { svc, url } = await gateway();
    svc.behaviour = slow(5000, echo("svc"));

    const answer = await send(url, "/svc/slow");

    because(
      `expected a 504 problem document within 1500 ms of a 300 ms timeout (took ${Math.round(answer.ms)} ms, status ${answer.status})`,
      () => {
        expect(answer.status).toBe(504);
        expect(answer.headers.get("content-type")).toMatch(PROBLEM_JSON);
        expect(answer.ms).toBeLessThan(1500);
      },
    );
    await eventually(
      "the upstream connection closed (the slow request abandoned)",
      () => svc.received[0]?.aborted === true,
      { timeoutMs: 2000, intervalMs: 20 },
    );
  });

  it("[R5.2] answers 502 when the upstream refuses the connection, hangs up, or speaks garbage", async () => {
    const down = await gateway(0, [await deadUrl()]);
    const rude = await gateway();
    rude.svc.behaviour = hangUp;
    const weird = await gateway();
    weird.svc.behaviour = garbage;

    const answers = [
      await send(down.url, "/svc/a"),
      await send(rude.url, "/svc/a"),
      await send(weird.url, "/svc/a"),
    ];

    because(
      `expected 502 problem documents for refused, hung-up and garbage answers; saw ${answers.map((a) => a.status).join(", ")}`,
      () => {
        expect(answers.map((a) => a.status)).toEqual([502, 502, 502]);
        for (const answer of answers)
          expect(answer.headers.get("content-type")).toMatch(PROBLEM_JSON);
      },
    );
  });

  it("[R5.3] retries a GET and a PUT after a 503, replaying the same body", async () => {
    const { svc, url } = await gateway(1);
    const body = JSON.stringify({ name: random.token(10) });

    svc.failNext(1, 503);
    const get = await send(url, "/svc/item");
    svc.failNext(1, 503);
    const put = await send(url, "/svc/item", {
      method: "PUT",
      body,
      headers: { "content-type": "application/json" },
    });

    because(
      `expected each to reach the upstream twice and succeed; saw ${svc.received.map((r) => r.method).join(", ")} -> ${get.status}, ${put.status} ${seed}`,
      () => {
        expect(svc.received.map((r) => r.method)).toEqual(["GET", "GET", "PUT", "PUT"]);
        expect([get.status, put.status]).toEqual([200, 200]);
        expect(svc.received.slice(2).map((r) => r.body.toString())).toEqual([body, body]);
      },
    );
  });

  for (const method of ["POST", "PATCH"])
    it(`[R5.4] never retries a ${method}, whatever went wrong`, async () => {
      const { svc, url } = await gateway(2);

      svc.failNext(1, 503);
      const failed = await send(url, "/svc/orders", { method, body: "{}" });
      svc.behaviour = hangUp;
      const hungUp = await send(url, "/svc/orders", { method, body: "{}" });

      because(
        `expected exactly one upstream attempt per ${method} (the upstream saw ${svc.received.length} for 2 requests), answered 503 then 502`,
        () => {
          expect(svc.received).toHaveLength(2);
          expect([failed.status, hungUp.status]).toEqual([503, 502]);
        },
      );
    });

  it("[R5.3] bounds retries: a GET is tried 1 + retries times, then the upstream's answer is returned", async () => {
    const retries = random.int(1, 3);
    const { svc, url } = await gateway(retries);
    svc.failNext(100, 503);

    const answer = await send(url, "/svc/item");

    because(
      `expected ${1 + retries} attempts with retries=${retries}, saw ${svc.received.length}; then 503 ${seed}`,
      () => {
        expect(svc.received).toHaveLength(1 + retries);
        expect(answer.status).toBe(503);
      },
    );
  });

  it("[R5.3] retries an idempotent request on the next instance when one refuses connections", async () => {
    const healthy = await startUpstream("healthy");
    const { url } = await gateway(1, [await deadUrl(), healthy.url]);

    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await send(url, "/svc/item")).status);

    because(
      `expected all 4 GETs to succeed through the live instance; saw ${statuses.join(", ")}`,
      () => {
        expect(statuses).toEqual([200, 200, 200, 200]);
        expect(healthy.received).toHaveLength(4);
      },
    );
  });

  it("[R5.1] waits 5 s for an upstream when upstreamTimeoutMs is left out", async () => {
    const patient = await startUpstream("patient");
    const stuck = await startUpstream("stuck");
    patient.behaviour = slow(3000, echo("patient"));
    stuck.behaviour = slow(15_000, echo("stuck"));
    const { url } = await serveGateway(learner, {
      routes: [
        { name: "patient", prefix: "/patient", upstream: "patient", public: true },
        { name: "stuck", prefix: "/stuck", upstream: "stuck", public: true },
      ],
      upstreams: { patient: [patient.url], stuck: [stuck.url] },
    });

    const [slowAnswer, timedOut] = await Promise.all([
      send(url, "/patient/a", { timeoutMs: 12_000 }),
      send(url, "/stuck/a", { timeoutMs: 12_000 }),
    ]);

    because(
      `expected 200 from an upstream answering after 3 s (saw ${slowAnswer.status}) and 504 from one that never answers, about 5 s in (saw ${timedOut.status} after ${Math.round(timedOut.ms)} ms)`,
      () => {
        expect(slowAnswer.status).toBe(200);
        expect(timedOut.status).toBe(504);
        expect(timedOut.ms).toBeGreaterThan(4500);
        expect(timedOut.ms).toBeLessThan(9000);
      },
    );
  }, 20_000);

  it("[R5.3] makes one attempt only when retries is left out", async () => {
    const [a, b] = [await startUpstream("a"), await startUpstream("b")];
    const { url } = await serveGateway(learner, {
      routes: [{ name: "svc", prefix: "/svc", upstream: "svc", public: true }],
      upstreams: { svc: [a.url, b.url] },
    });
    a.failNext(1, 503);

    const answer = await send(url, "/svc/item");

    because(
      `expected the first instance's 503 as is and no second attempt without retries; saw ${answer.status}, attempts ${a.received.length} + ${b.received.length}`,
      () => {
        expect(answer.status).toBe(503);
        expect(a.received.length + b.received.length).toBe(1);
      },
    );
  });
});
