import { because, PROBLEM_JSON, seededRandom, useLearner } from "@backend-sandbox/testkit";
import { expectProblem } from "#support/problem";
import { send } from "#support/send";
import { serveGateway } from "#support/serve-gateway";
import { echo, slow, startUpstream, status, type Behaviour } from "#support/upstream";

const learner = useLearner();

const random = seededRandom();
const seed = `(seed ${random.seed})`;

async function dashboard(upstreamTimeoutMs = 2000) {
  const users = await startUpstream("users");
  const orders = await startUpstream("orders");
  const [a, b] = [`p${random.token(5)}`, `o${random.token(5)}`];
  const path = `/dash-${random.token(4)}`;
  const { url } = await serveGateway(learner, {
    routes: [{ name: "users", prefix: "/users", upstream: "users", public: true }],
    upstreams: { users: [users.url], orders: [orders.url] },
    upstreamTimeoutMs,
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
  return { users, orders, a, b, url, path, get: (headers = {}) => send(url, path, { headers }) };
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

  it("[R7.2, R7.3] answers a 502 problem document when every part fails, and treats a non-JSON answer as a failure", async () => {
    const { users, orders, get } = await dashboard();
    users.behaviour = (_req, res) =>
      res.writeHead(200, { "content-type": "text/html" }).end("<html>oops</html>");
    orders.behaviour = status(503, "orders");

    const answer = await get();

    because(
      `expected 502 application/problem+json; saw ${answer.status} ${answer.headers.get("content-type")}`,
      () => {
        expect(answer.status).toBe(502);
        expect(answer.headers.get("content-type")).toMatch(PROBLEM_JSON);
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
