import { request } from "node:http";
import {
  because,
  eventually,
  manualClock,
  seededRandom,
  useLearner,
} from "@backend-sandbox/testkit";
import { send } from "#support/send";
import { serveGateway } from "#support/serve-gateway";
import { echo, startUpstream, status } from "#support/upstream";

const learner = useLearner();

const random = seededRandom();
const seed = `(seed ${random.seed})`;

async function halfOpen(maxBodyBytes: number, retries = 0) {
  const users = await startUpstream("users");
  const clock = manualClock();
  const { url } = await serveGateway(learner, {
    routes: [{ name: "users", prefix: "/users", upstream: "users", public: true }],
    upstreams: { users: [users.url] },
    breaker: { failureThreshold: 2, cooldownMs: 10_000 },
    maxBodyBytes,
    retries,
    now: clock.now,
  });
  users.behaviour = status(500);
  for (let i = 0; i < 2; i += 1) await send(url, "/users/1");
  clock.advance(10_000);
  users.behaviour = echo("users");
  return { users, url };
}

/** Starts a chunked request, sends `first` of its body and resolves to a function that hangs up. */
async function startUpload(url: string, target: string, method: string, first: Buffer) {
  const { hostname, port } = new URL(url);
  const req = request({ hostname, port, method, path: target, agent: false });
  req.on("error", () => {}); // the hang-up is ours
  await new Promise<void>((resolve) => req.write(first, () => resolve())); // on its way
  return () => req.destroy();
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

  it("[R5.7] keeps the circuit half-open when the trial's client goes away mid-upload: the upstream request is aborted and the next request is the trial", async () => {
    const { users, url } = await halfOpen(1024 * 1024);
    const hangUp = await startUpload(
      url,
      "/users/1",
      "POST",
      Buffer.alloc(random.int(100, 2000), 7),
    );
    const trial = () => users.received.find((r) => r.method === "POST");
    const reached = await eventually("the trial's first bytes upstream", () =>
      Boolean(trial()?.body.length),
    ).catch(() => false);
    hangUp();
    const aborted = await eventually(
      "the upstream request aborted after the client went away",
      () => trial()?.aborted === true,
      { timeoutMs: 2000, intervalMs: 20 },
    ).catch(() => false);

    const next = await send(url, "/users/1");
    const after = await send(url, "/users/1");

    because(
      `expected the streamed trial upstream, aborted there once its client hung up, then a new trial (200) that closes the circuit (200); saw ${reached ? "it" : "no trial"} upstream, ${aborted ? "aborted" : "not aborted"}, then ${next.status}, ${after.status} ${seed}`,
      () => {
        expect(reached).toBe(true);
        expect(aborted).toBe(true);
        expect([next.status, after.status]).toEqual([200, 200]);
      },
    );
  });

  it("[R5.3, R5.7] keeps the circuit half-open when the client of a trial it would retry goes away before its body is whole", async () => {
    const { users, url } = await halfOpen(1024 * 1024, 1);
    const hangUp = await startUpload(
      url,
      "/users/1",
      "PUT",
      Buffer.alloc(random.int(100, 2000), 7),
    );
    // While the PUT is the trial (its body held until whole, to replay), others are refused.
    const during = await send(url, "/users/1");
    hangUp();

    const codes: number[] = [];
    const closed = await eventually(
      "a new trial let through after the PUT's client went away",
      async () => {
        codes.push((await send(url, "/users/1")).status);
        return codes.at(-1) === 200;
      },
      { timeoutMs: 2000, intervalMs: 50 },
    ).catch(() => false);

    because(
      `expected 503 while the unfinished PUT was the trial, then, its client gone, a new trial (200) and no PUT upstream; saw ${during.status}, then ${codes.join(", ")}, ${users.received.filter((r) => r.method === "PUT").length} PUT upstream ${seed}`,
      () => {
        expect(during.status).toBe(503);
        expect(closed).toBe(true);
        expect(users.received.filter((r) => r.method === "PUT")).toHaveLength(0);
      },
    );
  });
});
