import { connect } from "node:net";
import { because, type HttpReply, seededRandom, useLearner } from "@backend-sandbox/testkit";
import { send } from "#support/send";
import { servePublicRoute } from "#support/serve-public-route";

const learner = useLearner();

const random = seededRandom();
const seed = `(seed ${random.seed})`;

async function gateway() {
  const { upstream: svc, url } = await servePublicRoute(learner, "svc", "/svc");
  return { svc, url };
}

describe("headers", () => {
  it("[R2.1] strips hop-by-hop headers and every header the client's Connection names before forwarding", async () => {
    const { svc, url } = await gateway();
    const hop = `x-hop-${random.token(6)}`;
    const kept = `x-kept-${random.token(6)}`;

    await send(url, "/svc/a", {
      headers: {
        connection: `keep-alive, ${hop}, X-Other-Hop`,
        [hop]: "secret",
        "x-other-hop": "also secret",
        [kept]: "yes",
        "keep-alive": "timeout=5",
        te: "trailers",
        "proxy-authorization": "Basic Zm9vOmJhcg==",
        "proxy-connection": "keep-alive",
        upgrade: "websocket-ish",
      },
    });

    const forwarded = svc.received[0]!;
    const leaked = [
      hop,
      "x-other-hop",
      "keep-alive",
      "te",
      "proxy-authorization",
      "proxy-connection",
      "upgrade",
    ].filter((name) => forwarded.headerNames.includes(name));
    because(
      `expected none of ${hop}, X-Other-Hop, Keep-Alive, TE, Proxy-Authorization, Proxy-Connection, Upgrade upstream; leaked: ${leaked.join(", ") || "none"} ${seed}`,
      () => {
        expect(leaked).toEqual([]);
        expect(String(forwarded.headers.connection ?? "")).not.toContain(hop);
        expect(forwarded.headers[kept]).toBe("yes");
      },
    );
  });

  it("[R2.1] strips hop-by-hop headers and those the upstream's Connection names from the response", async () => {
    const { svc, url } = await gateway();
    const hop = `x-up-hop-${random.token(6)}`;
    svc.behaviour = (_req, res) => {
      res
        .writeHead(200, {
          connection: `keep-alive, ${hop}`,
          [hop]: "1",
          "keep-alive": "timeout=77",
          "proxy-authenticate": "Basic",
          "x-end": "kept",
        })
        .end("ok");
    };

    const answer = await send(url, "/svc/a");

    because(
      `expected the client not to see ${hop}, Proxy-Authenticate or the upstream's Keep-Alive; it saw ${JSON.stringify(Object.fromEntries(answer.headers))} ${seed}`,
      () => {
        expect(answer.headers.get(hop)).toBeNull();
        expect(answer.headers.get("proxy-authenticate")).toBeNull();
        expect(answer.headers.get("keep-alive") ?? "").not.toContain("77");
        expect(answer.headers.get("x-end")).toBe("kept");
      },
    );
  });

  it("[R2.2, R2.3, R2.4, R2.5] appends the client's address to X-Forwarded-For and sets X-Forwarded-Proto, X-Forwarded-Host and Via", async () => {
    const { svc, url } = await gateway();
    const spoofed = `203.0.113.${random.int(1, 254)}`;
    const host = `shop-${random.token(5)}.example`;

    await send(url, "/svc/a", {
      headers: {
        host,
        "x-forwarded-for": spoofed,
        "x-forwarded-proto": "https",
        "x-forwarded-host": "evil.example",
        via: "1.0 edge",
      },
    });
    await send(url, "/svc/b");

    const [first, second] = svc.received.map((r) => r.headers);
    const client = "(::ffff:)?127\\.0\\.0\\.1";
    because(
      `expected X-Forwarded-For "${spoofed}, 127.0.0.1", proto http, host ${host}, Via "1.0 edge, 1.1 gateway"; saw ${JSON.stringify(first)} ${seed}`,
      () => {
        expect(first!["x-forwarded-for"]).toMatch(
          new RegExp(`^${spoofed.replaceAll(".", "\\.")}, ${client}$`),
        );
        expect(second!["x-forwarded-for"]).toMatch(new RegExp(`^${client}$`));
        expect(first!["x-forwarded-proto"]).toBe("http");
        expect(first!["x-forwarded-host"]).toBe(host);
        expect(first!.host).toBe(new URL(svc.url).host);
        expect(first!.via).toBe("1.0 edge, 1.1 gateway");
        expect(second!.via).toBe("1.1 gateway");
      },
    );
  });

  it("[R2.2] sends no X-Forwarded-Host upstream for an HTTP/1.0 request without Host, not even the client's", async () => {
    const { svc, url } = await gateway();
    const status = await sendWithoutHost(url, "/svc/a", { "X-Forwarded-Host": "evil.example" });
    const forwarded = svc.received[0]?.headers;
    because(
      `expected the request forwarded without X-Forwarded-Host (the client sent no Host, and its own X-Forwarded-Host is not trusted); answer ${status}, upstream saw ${JSON.stringify(forwarded)} ${seed}`,
      () => {
        expect(forwarded).toBeDefined();
        expect(forwarded!["x-forwarded-host"]).toBeUndefined();
      },
    );
  });

  it("[R2.6] keeps a well-formed X-Request-Id from the client (up to 128 characters), upstream and in the answer", async () => {
    const { svc, url } = await gateway();
    const id = `req-${random.token(16)}`;
    const longest = `A.b_c-${"9".repeat(122)}`; // 128 characters, every kind allowed

    const answer = await send(url, "/svc/a", { headers: { "x-request-id": id } });
    const atLimit = await send(url, "/svc/a", { headers: { "x-request-id": longest } });
    const overLimit = await send(url, "/svc/a", { headers: { "x-request-id": `${longest}0` } });

    because(
      `expected X-Request-Id ${id} upstream and back; upstream saw ${svc.received[0]?.headers["x-request-id"]}, client got ${answer.headers.get("x-request-id")} ${seed}`,
      () => {
        expect(svc.received[0]!.headers["x-request-id"]).toBe(id);
        expect(answer.headers.get("x-request-id")).toBe(id);
      },
    );
    because(
      `expected a 128-character id kept and a 129-character one replaced; got ${atLimit.headers.get("x-request-id")} and ${overLimit.headers.get("x-request-id")}`,
      () => {
        expect(atLimit.headers.get("x-request-id")).toBe(longest);
        expect(overLimit.headers.get("x-request-id")).toMatch(
          /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
        );
      },
    );
  });

  it("[R2.6] replaces a malformed or oversized X-Request-Id with a fresh UUID v4, and every request gets its own", async () => {
    const { svc, url } = await gateway();
    const bad = ["has spaces in it", "x".repeat(10_000), "<script>alert(1)</script>"];

    const answers: HttpReply[] = [];
    for (const id of bad)
      answers.push(await send(url, "/svc/a", { headers: { "x-request-id": id } }));
    answers.push(await send(url, "/svc/a"), await send(url, "/svc/a"));

    const ids = answers.map((a) => a.headers.get("x-request-id"));
    because(
      `expected five distinct UUID v4 ids, the same upstream and back; got ${ids.join(" ").slice(0, 300)}`,
      () => {
        for (const id of ids)
          expect(id).toMatch(
            /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
          );
        expect(new Set(ids).size).toBe(5);
        expect(svc.received.map((r) => r.headers["x-request-id"])).toEqual(ids);
      },
    );
  });

  it("[R2.6] puts the X-Request-Id on the gateway's own error answers too", async () => {
    const { url } = await gateway();
    const id = `err-${random.token(12)}`;

    const notFound = await send(url, "/nowhere", { headers: { "x-request-id": id } });
    const generated = await send(url, "/nowhere");

    because(
      `expected the 404 to carry X-Request-Id ${id}, and a generated one without ${seed}`,
      () => {
        expect(notFound.headers.get("x-request-id")).toBe(id);
        expect(generated.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
      },
    );
  });
});

/**
 * Sends `GET target HTTP/1.0` with no Host header (node:http always adds one, and HTTP/1.1
 * requires it: RFC 9112 §3.2) on a raw connection, and resolves to the answer's status code.
 */
function sendWithoutHost(base: string, target: string, headers: Record<string, string>) {
  const { hostname, port } = new URL(base);
  const lines = [
    `GET ${target} HTTP/1.0`,
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  return new Promise<number>((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) }, () =>
      socket.write(`${lines.join("\r\n")}\r\n\r\n`),
    );
    const chunks: Buffer[] = [];
    socket.setTimeout(5000, () =>
      socket.destroy(new Error(`no answer to ${target} within 5000 ms`)),
    );
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", reject);
    // HTTP/1.0 without keep-alive: the answer ends with the connection.
    socket.on("end", () => {
      const head = /^HTTP\/1\.[01] (\d{3})/.exec(Buffer.concat(chunks).toString("latin1"));
      resolve(head ? Number(head[1]) : 0);
    });
  });
}
