import {
  because,
  eventually,
  PROBLEM_JSON,
  seededRandom,
  useLearner,
} from "@backend-sandbox/testkit";
import { bytes } from "#support/bytes";
import { send, type RawReply } from "#support/send";
import { deadUrl } from "#support/dead-url";
import { expectProblem } from "#support/problem";
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

  it("[R5.3] retries a HEAD, an OPTIONS and a DELETE after a 503 too", async () => {
    const { svc, url } = await gateway(1);

    const answers: RawReply[] = [];
    for (const method of ["HEAD", "OPTIONS", "DELETE"]) {
      svc.failNext(1, 503);
      answers.push(await send(url, "/svc/item", { method }));
    }

    because(
      `expected each method twice upstream (a 503, then the retry's 200); saw ${svc.received.map((r) => r.method).join(", ")} -> ${answers.map((a) => a.status).join(", ")}`,
      () => {
        const twice = ["HEAD", "HEAD", "OPTIONS", "OPTIONS", "DELETE", "DELETE"];
        expect(svc.received.map((r) => r.method)).toEqual(twice);
        expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
      },
    );
  });

  it("[R5.3] never retries a timeout, even with retries left and another instance ready", async () => {
    const stuck = await startUpstream("stuck");
    stuck.behaviour = slow(3000, echo("stuck"));
    const ready = await startUpstream("ready");
    const { url } = await gateway(random.int(1, 3), [stuck.url, ready.url]);

    const answer = await send(url, "/svc/item");

    because(
      `expected 504 after the first instance's timeout and no try on the second; saw ${answer.status}, the second instance got ${ready.received.length} ${seed}`,
      () => {
        expect(answer.status).toBe(504);
        expect(ready.received).toHaveLength(0);
      },
    );
  });

  it("[R1.8, R5.3] holds a retried PUT's chunked body to the limit: exactly the limit is forwarded, a byte more gets 413 and reaches no upstream", async () => {
    const limit = random.int(2000, 6000);
    const { upstream: svc, url } = await servePublicRoute(learner, "svc", "/svc", {
      retries: 1,
      maxBodyBytes: limit,
    });
    const chunked = (body: Buffer) =>
      Array.from({ length: Math.ceil(body.length / 1000) }, (_, i) =>
        body.subarray(i * 1000, (i + 1) * 1000),
      );
    const exact = bytes(limit, random.seed);
    const over = bytes(limit + 1, random.seed + 1);

    const fits = await send(url, "/svc/item", { method: "PUT", body: chunked(exact) });
    const tooLarge = await send(url, "/svc/item", { method: "PUT", body: chunked(over) });

    because(
      `expected 200 for a chunked PUT of exactly ${limit} bytes, forwarded whole, then 413 for ${limit + 1} bytes with no second upstream request; saw ${fits.status}, ${tooLarge.status}, the upstream got ${svc.received.map((r) => r.body.length).join(", ")} bytes ${seed}`,
      () => {
        expect(fits.status).toBe(200);
        expect(svc.received).toHaveLength(1);
        expect(svc.received[0]!.body.equals(exact)).toBe(true);
      },
    );
    expectProblem(tooLarge, 413, `a retried PUT's chunked body one byte over ${limit} ${seed}`);
  });

  it("[R1.4, R5.3] streams a PUT's body when there are no retries (nothing to replay)", async () => {
    const { svc, url } = await gateway();
    const body = bytes(512 * 1024, random.seed);
    let arrivedEarly = false;
    async function* upload() {
      yield body.subarray(0, 64 * 1024);
      const arrived = () => (svc.received[0]?.body.length ?? 0) > 0;
      // Not thrown here: an error inside the upload would only stall the request.
      arrivedEarly = await eventually("the first bytes upstream", arrived, {
        timeoutMs: 3000,
        intervalMs: 20,
      }).catch(() => false);
      yield body.subarray(64 * 1024);
    }

    const answer = await send(url, "/svc/upload", { method: "PUT", body: upload() });

    because(
      `expected the first 64 KiB of a PUT upstream while the client still held the rest (retries 0), then 200 with the whole body; saw ${arrivedEarly ? "them early" : "nothing early"}, ${answer.status} ${seed}`,
      () => {
        expect(arrivedEarly).toBe(true);
        expect(answer.status).toBe(200);
        expect(svc.received[0]!.body.equals(body)).toBe(true);
      },
    );
  });

  it("[R5.1] bounds only the wait for the headers: a body that takes longer than the timeout comes back whole", async () => {
    const { svc, url } = await gateway();
    const [first, last] = [random.token(12), random.token(12)];
    svc.behaviour = (_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.write(first);
      const timer = setTimeout(() => res.end(last), 1000); // the gateway's timeout is 300 ms
      res.on("close", () => clearTimeout(timer));
    };

    const answer = await send(url, "/svc/long").catch((error: Error) => error);

    because(
      `expected 200 and the whole body, sent over 1 s after headers that came at once (timeout 300 ms); saw ${answer instanceof Error ? answer.message : `${answer.status} ${JSON.stringify(answer.text)}`} ${seed}`,
      () => {
        expect(answer).not.toBeInstanceOf(Error);
        expect((answer as { status: number }).status).toBe(200);
        expect((answer as { text: string }).text).toBe(first + last);
      },
    );
  });
});
