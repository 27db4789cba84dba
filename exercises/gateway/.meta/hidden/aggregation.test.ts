import { createServer } from "node:net";
import {
  because,
  manualClock,
  onCleanup,
  seededRandom,
  useLearner,
} from "@backend-sandbox/testkit";
import { listenOnLoopback } from "#support/loopback-port";
import { expectProblem } from "#support/problem";
import { send } from "#support/send";
import { serveGateway, type GatewayConfig } from "#support/serve-gateway";
import { echo, slow, startUpstream, status, type Behaviour } from "#support/upstream";

const learner = useLearner();

const random = seededRandom();
const seed = `(seed ${random.seed})`;

/** `ordersUrl` puts another server in the orders upstream's place. */
async function dashboard(
  upstreamTimeoutMs = 2000,
  extra: Partial<GatewayConfig> = {},
  ordersUrl?: string,
) {
  const users = await startUpstream("users");
  const orders = await startUpstream("orders");
  const [a, b] = [`p${random.token(5)}`, `o${random.token(5)}`];
  const path = `/dash-${random.token(4)}`;
  const { url, gateway } = await serveGateway(learner, {
    routes: [{ name: "users", prefix: "/users", upstream: "users", public: true }],
    upstreams: { users: [users.url], orders: [ordersUrl ?? orders.url] },
    upstreamTimeoutMs,
    ...extra,
    aggregates: [
      {
        path,
        parts: {
          [a]: { upstream: "users", path: "/me" },
          [b]: { upstream: "orders", path: "/recent?limit=5" },
        },
      },
    ],
  });
  return {
    users,
    orders,
    a,
    b,
    gateway,
    url,
    path,
    get: (headers = {}) => send(url, path, { headers }),
  };
}

describe("aggregation", () => {
  it("[R7.1] asks both upstreams in parallel: each is asked before the other has answered", async () => {
    const { users, orders, a, b, get } = await dashboard();
    // Each upstream holds its answer until both have been asked (or 1 s has passed): a gateway
    // that waits for one part before asking for the other makes the first one answer alone.
    let asked = 0;
    let release = () => {};
    const bothAsked = new Promise<void>((resolve) => {
      release = resolve;
    });
    const answeredAlone: string[] = [];
    const rendezvous =
      (name: string): Behaviour =>
      (req, res, body) => {
        asked += 1;
        if (asked === 2) release();
        void Promise.race([bothAsked, new Promise((resolve) => setTimeout(resolve, 1000))]).then(
          () => {
            if (asked < 2) answeredAlone.push(name);
            echo(name)(req, res, body);
          },
        );
      };
    users.behaviour = rendezvous("users");
    orders.behaviour = rendezvous("orders");

    const answer = await get();

    because(
      `expected users and orders to be asked at the same time; ${answeredAlone.join(", ") || "none"} had to answer before the other was asked ${seed}`,
      () => {
        expect(answeredAlone).toEqual([]);
        expect(answer.status).toBe(200);
        expect(answer.headers.get("content-type")).toMatch(/^application\/json\b/);
        expect(answer.body).toEqual({
          parts: {
            [a]: { upstream: "users", method: "GET", url: "/me", bytes: 0 },
            [b]: { upstream: "orders", method: "GET", url: "/recent?limit=5", bytes: 0 },
          },
        });
      },
    );
  });

  it("[R7.1] sends the same X-Request-Id to both upstreams and back to the client", async () => {
    const { users, orders, get } = await dashboard();
    const id = `dash-${random.token(10)}`;

    const answer = await get({ "x-request-id": id });

    because(`expected X-Request-Id ${id} at users, orders and in the answer ${seed}`, () => {
      expect(users.received[0]!.headers["x-request-id"]).toBe(id);
      expect(orders.received[0]!.headers["x-request-id"]).toBe(id);
      expect(answer.headers.get("x-request-id")).toBe(id);
    });
  });

  it("[R7.2] degrades when one part fails: its value is null and errors says why", async () => {
    const { orders, a, b, get } = await dashboard();
    orders.behaviour = status(500, "orders");

    const answer = await get();

    because(
      `expected 200 with ${a} present, ${b}: null and errors.${b}.status 500; saw ${answer.status} ${answer.text.slice(0, 200)} ${seed}`,
      () => {
        expect(answer.status).toBe(200);
        expect(answer.body.parts[a]).toMatchObject({ upstream: "users", url: "/me" });
        expect(answer.body.parts[b]).toBeNull();
        expect(answer.body.errors).toEqual({ [b]: { status: 500 } });
      },
    );
  });

  it("[R7.2] reports a down part as 502 and a part that times out as 504, without waiting for it", async () => {
    const down = await dashboard();
    await down.users.stop();
    const late = await dashboard(400);
    late.orders.behaviour = slow(5000, echo("orders"));

    const [refused, timedOut] = [await down.get(), await late.get()];

    because(
      `expected errors ${down.a}: 502 and ${late.b}: 504 (within 1500 ms of a 400 ms timeout, took ${Math.round(timedOut.ms)} ms) ${seed}`,
      () => {
        expect(refused.status).toBe(200);
        expect(refused.body.errors).toEqual({ [down.a]: { status: 502 } });
        expect(refused.body.parts[down.b]).toMatchObject({ upstream: "orders" });
        expect(timedOut.status).toBe(200);
        expect(timedOut.body.errors).toEqual({ [late.b]: { status: 504 } });
        expect(timedOut.ms).toBeLessThan(1500);
      },
    );
  });

  it("[R7.2] takes any 2xx answer as the part's value, 299 included, and reports a 1xx final answer as failed with its status", async () => {
    // An upstream that answers 101 Switching Protocols to a GET that asked for no upgrade: Node's
    // client hands it over as the final answer, with an empty body.
    const raw = createServer((socket) => {
      socket.once("data", () => socket.end("HTTP/1.1 101 Switching Protocols\r\n\r\n"));
    });
    const port = await listenOnLoopback(raw);
    onCleanup(() => new Promise<void>((resolve) => raw.close(() => resolve())));
    const { users, a, b, get } = await dashboard(2000, {}, `http://127.0.0.1:${port}`);
    users.behaviour = (_req, res) =>
      res.writeHead(299, { "content-type": "application/json" }).end(JSON.stringify({ n: 299 }));

    const answer = await get();

    because(
      `expected 200 with ${a} (a 299 answer) present and errors {${b}: {status: 101}}; saw ${answer.status} ${answer.text.slice(0, 200)} ${seed}`,
      () => {
        expect(answer.status).toBe(200);
        expect(answer.body.parts[a]).toEqual({ n: 299 });
        expect(answer.body.parts[b]).toBeNull();
        expect(answer.body.errors).toEqual({ [b]: { status: 101 } });
      },
    );
  });

  it("[R1.6, R7.2, R7.3] answers a 502 problem document when every part fails, and treats a non-JSON answer as a failure", async () => {
    const { users, orders, get } = await dashboard();
    users.behaviour = (_req, res) =>
      res.writeHead(200, { "content-type": "text/html" }).end("<html>oops</html>");
    orders.behaviour = status(503, "orders");

    const answer = await get();

    expectProblem(answer, 502, "a dashboard whose every part failed");
  });

  it("[R7.4, R5.5] counts each part's answer for its upstream's breaker: 5xx failures in a row open it, a success in between resets them", async () => {
    const threshold = random.int(2, 4);
    const { users, orders, a, b, get } = await dashboard(2000, {
      breaker: { failureThreshold: threshold, cooldownMs: 30_000 },
      now: manualClock().now,
    });
    const outcome = async () => {
      const answer = await get();
      return answer.status === 200 && answer.body.parts[b] !== null
        ? (answer.body.errors?.[a]?.status ?? "ok")
        : `answer ${answer.status}`;
    };
    const seen: (number | string)[] = [];
    users.failNext(threshold - 1, 500);
    for (let i = 0; i < threshold; i += 1) seen.push(await outcome());
    users.failNext(threshold, 500);
    for (let i = 0; i < threshold + 1; i += 1) seen.push(await outcome());
    const expected = [...Array(threshold - 1).fill(500), "ok", ...Array(threshold).fill(500), 503];

    because(
      `expected part ${a} (users, threshold ${threshold}) to go ${expected.join(", ")}: the success resets the count, ${threshold} 500s in a row open the circuit and the next part is 503 without reaching users; saw ${seen.join(", ")}, users asked ${users.received.length} times ${seed}`,
      () => {
        expect(seen).toEqual(expected);
        expect(users.received).toHaveLength(2 * threshold);
        expect(orders.received).toHaveLength(2 * threshold + 1);
      },
    );
  });

  it("[R7.4, R5.2, R5.5] counts a part's refused connection as a breaker failure, and a 2xx answer that is not JSON as an answer, not a failure", async () => {
    // A threshold of 1: a single failure opens the circuit, so even a failure counted right after
    // the answer's success shows.
    const { users, orders, a, b, get } = await dashboard(2000, {
      breaker: { failureThreshold: 1, cooldownMs: 30_000 },
      now: manualClock().now,
    });
    const errors = async () => {
      const answer = await get();
      return answer.status === 200
        ? JSON.stringify(answer.body.errors ?? {})
        : `answer ${answer.status}`;
    };
    const html: Behaviour = (_req, res) =>
      res.writeHead(200, { "content-type": "text/html" }).end("<p>not json</p>");

    orders.behaviour = html;
    const notJson = [await errors(), await errors()];
    orders.behaviour = echo("orders");
    const afterNotJson = await errors();
    await users.stop();
    const refused = [await errors(), await errors()];

    const bad = (name: string, code: number) => JSON.stringify({ [name]: { status: code } });
    because(
      `expected non-JSON 200s from orders (errors ${bad(b, 502)}) to leave its circuit closed (threshold 1; then no errors: {}), and a refused connection to users (${bad(a, 502)}) to open its circuit (then ${bad(a, 503)}); saw ${[...notJson, afterNotJson, ...refused].join(", ")} ${seed}`,
      () => {
        expect(notJson).toEqual([bad(b, 502), bad(b, 502)]);
        expect(afterNotJson).toBe("{}");
        expect(orders.received).toHaveLength(5);
        expect(refused).toEqual([bad(a, 502), bad(a, 503)]);
      },
    );
  });

  it("[R7.4, R6.4] fails a part whose upstream has no healthy instance with 503, without contacting it", async () => {
    const { users, a, b, gateway, get } = await dashboard();
    users.healthy = false;
    await gateway.checkHealth();

    const answer = await get();

    because(
      `expected 200 with ${b} present, ${a}: null and errors {${a}: {status: 503}}, users never asked; saw ${answer.status} ${answer.text.slice(0, 200)}, users asked ${users.received.length} times ${seed}`,
      () => {
        expect(answer.status).toBe(200);
        expect(answer.body.parts[a]).toBeNull();
        expect(answer.body.parts[b]).toMatchObject({ upstream: "orders" });
        expect(answer.body.errors).toEqual({ [a]: { status: 503 } });
        expect(users.received).toHaveLength(0);
      },
    );
  });

  it("[R7.5] answers its path only, and GET only: 405 with Allow: GET to other methods, other paths routed, a GET's body not passed on", async () => {
    const { users, orders, a, b, url, path } = await dashboard();
    const uses = () => [...users.received, ...orders.received].length;

    const posted = await send(url, path, { method: "POST", body: "{}" });
    const deleted = await send(url, `${path}?x=1`, { method: "DELETE" });
    const contactedByOthers = uses();
    const below = await send(url, `${path}/more`);
    const routed = await send(url, "/users/7");
    const routedTo = users.received.map((r) => r.url);
    users.received.length = 0;
    const withBody = await send(url, path, { body: "hello" });

    expectProblem(posted, 405, `a POST to the aggregate ${path} ${seed}`);
    expectProblem(deleted, 405, `a DELETE to the aggregate ${path}?x=1 ${seed}`);
    because(
      `expected Allow: GET on the 405s, no upstream asked for them (saw ${contactedByOthers}), ${path}/more -> 404, /users/7 routed to users as /7 (saw ${routed.status}, ${routedTo.join(", ") || "nothing"}), and a GET with a 5-byte body answered 200 with both parts, asked without a body (saw ${withBody.status} ${withBody.text.slice(0, 200)}) ${seed}`,
      () => {
        expect([posted.headers.get("allow"), deleted.headers.get("allow")]).toEqual(["GET", "GET"]);
        expect(contactedByOthers).toBe(0);
        expect(below.status).toBe(404);
        expect(routed.status).toBe(200);
        expect(routedTo).toEqual(["/7"]);
        expect(withBody.status).toBe(200);
        expect(withBody.body).toEqual({
          parts: {
            [a]: { upstream: "users", method: "GET", url: "/me", bytes: 0 },
            [b]: { upstream: "orders", method: "GET", url: "/recent?limit=5", bytes: 0 },
          },
        });
      },
    );
  });
});
