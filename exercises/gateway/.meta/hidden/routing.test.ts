import { createServer } from "node:http";
import type { Socket } from "node:net";
import {
  because,
  eventually,
  onCleanup,
  PROBLEM_JSON,
  seededRandom,
  useLearner,
} from "@backend-sandbox/testkit";
import { listenOnLoopback } from "#support/loopback-port";
import { send } from "#support/send";
import { serveGateway } from "#support/serve-gateway";
import { servePublicRoute } from "#support/serve-public-route";
import { startUpstream, status, type Upstream } from "#support/upstream";

const learner = useLearner();

const random = seededRandom();
const seed = `(seed ${random.seed})`;
const seen = (u: Upstream) => u.received.map((r) => `${r.method} ${r.url}`);

describe("routing", () => {
  it("[R1.2] strips a random prefix and keeps the rest of the path and the query byte for byte", async () => {
    const prefix = `/api/${random.token(6)}`;
    const { upstream: svc, url } = await servePublicRoute(learner, "svc", prefix);
    const id = random.int(1, 99999);
    const query = `?a=1&a=2&b=%2F+x&c&d=%C3%A9&q=${random.token(4)}`;

    const answers = [
      await send(url, `${prefix}/${id}/items${query}`),
      await send(url, prefix),
      await send(url, `${prefix}?only=query`),
    ];

    because(
      `expected ${prefix}/${id}/items${query} to arrive as /${id}/items${query}, ${prefix} as / ${seed}`,
      () => {
        expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
        expect(seen(svc)).toEqual([`GET /${id}/items${query}`, "GET /", "GET /?only=query"]);
      },
    );
  });

  it("[R1.2] replaces the prefix by the route's rewrite", async () => {
    const users = await startUpstream("users");
    const { url } = await serveGateway(learner, {
      routes: [
        {
          name: "users",
          prefix: "/v1/users",
          upstream: "users",
          rewrite: "/internal/people",
          public: true,
        },
      ],
      upstreams: { users: [users.url] },
    });

    await send(url, "/v1/users/42?full=1");

    because("expected /v1/users/42?full=1 to arrive as /internal/people/42?full=1", () =>
      expect(seen(users)).toEqual(["GET /internal/people/42?full=1"]),
    );
  });

  it("[R1.1, R1.7] picks the longest matching prefix and matches only whole path segments", async () => {
    const users = await startUpstream("users");
    const admin = await startUpstream("admin");
    const { url } = await serveGateway(learner, {
      routes: [
        { name: "users", prefix: "/api/users", upstream: "users", public: true },
        { name: "admin", prefix: "/api/users/admin", upstream: "admin", public: true },
      ],
      upstreams: { users: [users.url], admin: [admin.url] },
    });

    const statuses: number[] = [];
    for (const path of [
      "/api/users/admin/audit",
      "/api/users/7",
      "/api/users/administrator",
      "/api/usersX",
    ]) {
      statuses.push((await send(url, path)).status);
    }

    because(
      "expected /api/users/admin/audit -> admin /audit, /api/users/7 and /api/users/administrator -> users, /api/usersX -> 404",
      () => {
        expect(seen(admin)).toEqual(["GET /audit"]);
        expect(seen(users)).toEqual(["GET /7", "GET /administrator"]);
        expect(statuses).toEqual([200, 200, 200, 404]);
      },
    );
  });

  it("[R1.1, R1.2] picks the longest prefix whatever the routes' order, the first of two equal prefixes, and ignores trailing slashes", async () => {
    const admin = await startUpstream("admin");
    const users = await startUpstream("users");
    const twin = await startUpstream("twin");
    const { url } = await serveGateway(learner, {
      routes: [
        { name: "admin", prefix: "/api/users/admin/", upstream: "admin", public: true },
        { name: "users", prefix: "/api/users", upstream: "users", rewrite: "/v2//", public: true },
        { name: "twin", prefix: "/api/users/", upstream: "twin", public: true },
      ],
      upstreams: { admin: [admin.url], users: [users.url], twin: [twin.url] },
    });

    const statuses: number[] = [];
    for (const path of [
      "/api/users/admin/audit",
      "/api/users/admin",
      "/api/users/7",
      "/api/users",
      "/",
    ])
      statuses.push((await send(url, path)).status);

    because(
      `expected /api/users/admin/audit and /api/users/admin -> admin (prefix "/api/users/admin/", listed first) as /audit and /, /api/users/7 and /api/users -> users (listed before its twin "/api/users/", rewrite "/v2//") as /v2/7 and /v2, nothing to the twin, and / (no catch-all route) 404; saw statuses ${statuses.join(", ")}, admin ${seen(admin).join(", ") || "nothing"}, users ${seen(users).join(", ") || "nothing"}, twin ${seen(twin).join(", ") || "nothing"}`,
      () => {
        expect(statuses).toEqual([200, 200, 200, 200, 404]);
        expect(seen(admin)).toEqual(["GET /audit", "GET /"]);
        expect(seen(users)).toEqual(["GET /v2/7", "GET /v2"]);
        expect(seen(twin)).toEqual([]);
      },
    );
  });

  it("[R1.2, R1.9] forwards dots and escapes inside segments, and refuses a malformed percent-escape with 400", async () => {
    const { upstream: svc, url } = await servePublicRoute(learner, "svc", "/svc");
    const name = random.token(6);
    const fine = [`/svc/v1.2/${name}..b/file.json`, `/svc/%41%2Fb/.${name}?x=%2e%2e`];
    const malformed = [`/svc/${name}/%zz`, `/svc/${name}%`];

    const statuses: number[] = [];
    for (const target of [...fine, ...malformed]) statuses.push((await send(url, target)).status);

    because(
      `expected ${fine.join(" and ")} forwarded as they are (200), ${malformed.join(" and ")} refused with 400; saw ${statuses.join(", ")} and upstream ${seen(svc).join(", ") || "nothing"} ${seed}`,
      () => {
        expect(statuses).toEqual([200, 200, 400, 400]);
        expect(seen(svc)).toEqual(fine.map((target) => `GET ${target.slice("/svc".length)}`));
      },
    );
  });

  it("[R1.10] closes its idle connections to the upstreams on close()", async () => {
    const sockets = new Set<Socket>();
    const server = createServer((req, res) => {
      req.resume();
      req.on("end", () => res.end("ok"));
    });
    server.keepAliveTimeout = 60_000; // the upstream itself keeps an idle connection for a minute
    server.on("connection", (socket: Socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
    });
    const port = await listenOnLoopback(server);
    onCleanup(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    );
    const { url, gateway } = await serveGateway(learner, {
      routes: [{ name: "svc", prefix: "/svc", upstream: "svc", public: true }],
      upstreams: { svc: [`http://127.0.0.1:${port}`] },
    });

    const answer = await send(url, "/svc/x");
    const openBefore = sockets.size;
    await gateway.close();
    const openAfter = await eventually("the gateway's connections closed", () => sockets.size, {
      until: (n) => n === 0,
      timeoutMs: 2000,
      intervalMs: 20,
    }).catch(() => sockets.size);

    because(
      `expected no connection from the gateway left open 2 s after close() (the upstream would keep an idle one for a minute); ${openBefore} open before close(), ${openAfter} after`,
      () => {
        expect(answer.status).toBe(200);
        expect(openAfter).toBe(0);
      },
    );
  });

  it("[R1.6, R1.7] answers an unknown route with a 404 problem document and calls no upstream", async () => {
    const { upstream: svc, url } = await servePublicRoute(learner, "svc", "/svc");

    const answer = await send(url, `/${random.token(8)}/x`, { method: "POST", body: "{}" });

    because(
      "expected 404 application/problem+json with status 404, and no upstream request",
      () => {
        expect(answer.status).toBe(404);
        expect(answer.headers.get("content-type")).toMatch(PROBLEM_JSON);
        expect(answer.body).toMatchObject({ status: 404 });
        expect(svc.received).toHaveLength(0);
      },
    );
  });

  it("[R1.3] passes methods, bodies and headers through unchanged", async () => {
    const { upstream: svc, url } = await servePublicRoute(learner, "svc", "/svc");
    const methods = ["POST", "PUT", "PATCH", "DELETE"];
    const bodies = methods.map(() =>
      JSON.stringify({ note: random.token(20), n: random.int(0, 1e6) }),
    );

    for (const [i, method] of methods.entries()) {
      await send(url, "/svc/things", {
        method,
        body: bodies[i],
        headers: {
          "content-type": "application/json",
          authorization: "Bearer t0k",
          "x-trace": `t${i}`,
        },
      });
    }
    await send(url, "/svc/empty", { method: "POST" });

    because(`expected each method with its exact body and headers upstream ${seed}`, () => {
      expect(svc.received.map((r) => r.method)).toEqual([...methods, "POST"]);
      svc.received.slice(0, 4).forEach((r, i) => {
        expect(r.body.toString()).toBe(bodies[i]);
        expect(r.headers).toMatchObject({
          "content-type": "application/json",
          authorization: "Bearer t0k",
          "x-trace": `t${i}`,
        });
      });
      expect(svc.received[4]!.body.length).toBe(0);
    });
  });

  it("[R1.5] returns the upstream's status and headers, errors included, without rewriting them", async () => {
    const { upstream: svc, url } = await servePublicRoute(learner, "svc", "/svc");
    svc.behaviour = (_req, res) => {
      res
        .writeHead(418, {
          "set-cookie": ["a=1; Path=/", "b=2; HttpOnly"],
          "x-tea": "earl grey",
          "content-type": "text/plain",
        })
        .end("short and stout");
    };
    const teapot = await send(url, "/svc/tea");
    svc.behaviour = status(500);
    const broken = await send(url, "/svc/boom");

    because(
      "expected 418 with both Set-Cookie headers and the body, then the upstream's 500 as 500 (not 502)",
      () => {
        expect(teapot.status).toBe(418);
        expect(teapot.headers.getSetCookie()).toEqual(["a=1; Path=/", "b=2; HttpOnly"]);
        expect(teapot.headers.get("x-tea")).toBe("earl grey");
        expect(teapot.text).toBe("short and stout");
        expect(broken.status).toBe(500);
      },
    );
  });
});
