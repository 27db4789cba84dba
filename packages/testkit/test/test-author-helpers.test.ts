import {
  ExpectationError,
  eventually,
  expectProblem,
  manualClock,
  request,
  startServer,
  within,
} from "../src";

describe("manualClock", () => {
  it("moves only when told, and a sleep advances it at once and is recorded", async () => {
    const clock = manualClock(1_000);
    expect([clock.now(), clock.date().getTime()]).toEqual([1_000, 1_000]);
    clock.advance(500);
    await clock.sleep(250);
    expect(clock.now()).toBe(1_750);
    expect(clock.sleeps).toEqual([250]);
    clock.set(0);
    expect(clock.now()).toBe(0);
  });
});

describe("eventually", () => {
  it("returns the first value that holds", async () => {
    let calls = 0;
    const value = await eventually("the third call", () => ++calls, {
      until: (n) => n >= 3,
      intervalMs: 1,
    });
    expect(value).toBe(3);
  });

  it("fails with what was awaited and the last value seen, not a bare timeout", async () => {
    const failure = eventually("the queue to drain", async () => ({ left: 2 }), {
      timeoutMs: 60,
      until: (queue) => queue.left === 0,
    });
    await expect(failure).rejects.toThrow(ExpectationError);
    await expect(failure).rejects.toThrow(
      'expected the queue to drain within 60 ms; last seen: {"left":2}',
    );
  });
});

describe("request and expectProblem", () => {
  it("reads an answer once into status, headers, text, parsed JSON and time", async () => {
    const server = await startServer((req, res) => {
      let body = "";
      req.on("data", (chunk) => (body += chunk));
      req.on("end", () => {
        res.writeHead(201, { "content-type": "application/json" });
        res.end(JSON.stringify({ method: req.method, type: req.headers["content-type"], body }));
      });
    });
    const reply = await request(`${server.url}/things`, { method: "POST", json: { a: 1 } });
    expect(reply.status).toBe(201);
    expect(reply.body).toEqual({ method: "POST", type: "application/json", body: '{"a":1}' });
    expect(reply.text).toBe(JSON.stringify(reply.body));
    expect(reply.ms).toBeGreaterThan(0);
  });

  it("answers with a redirect as the server sent it, unless asked to follow it", async () => {
    const server = await startServer((req, res) => {
      if (req.url === "/old") res.writeHead(301, { location: "/new" }).end();
      else res.writeHead(200, { "content-type": "text/plain" }).end("moved here");
    });
    const seen = await request(`${server.url}/old`);
    expect([seen.status, seen.headers.get("location")]).toEqual([301, "/new"]);
    const followed = await request(`${server.url}/old`, { redirect: "follow" });
    expect([followed.status, followed.text, followed.body]).toEqual([200, "moved here", undefined]);
  });

  it("accepts RFC 9457 problem details and refuses a plain JSON error, naming the request", async () => {
    const server = await startServer((req, res) => {
      const problem = req.url === "/problem";
      res.writeHead(404, {
        "content-type": problem ? "application/problem+json; charset=utf-8" : "application/json",
      });
      res.end(JSON.stringify({ type: "about:blank", title: "Not Found", status: 404 }));
    });
    expectProblem(await request(`${server.url}/problem`), 404, "GET /problem");
    const plain = await request(`${server.url}/plain`);
    expect(() => expectProblem(plain, 404, "GET /plain")).toThrow(
      /expected GET \/plain to be answered 404 as application\/problem\+json/,
    );
    const noDetail = await request(`${server.url}/problem`);
    expect(() => expectProblem(noDetail, 404, "GET /problem", ["detail"])).toThrow(
      /with type, title and status, detail/,
    );
  });
});

describe("within", () => {
  const never = new Promise<never>(() => {});

  it("resolves with the value when it comes in time", async () => {
    await expect(within(1000, "an answer", Promise.resolve(42))).resolves.toBe(42);
  });

  it("fails after the time limit, naming what did not happen", async () => {
    await expect(within(20, "the read to reach the origin", never)).rejects.toThrow(
      "expected the read to reach the origin within 20 ms; it had not happened by then",
    );
  });

  it("fails at once, saying why, when what it waits for was ruled out", async () => {
    const started = Date.now();
    const answered = Promise.resolve("the read was answered 500 first");
    await expect(within(10_000, "the read to reach the origin", never, answered)).rejects.toThrow(
      "expected the read to reach the origin, but the read was answered 500 first",
    );
    expect(Date.now() - started).toBeLessThan(5000);
    const failed = Promise.reject(new Error("the request failed: ECONNRESET"));
    await expect(within(10_000, "the commit", never, failed)).rejects.toThrow(
      "expected the commit, but the request failed: ECONNRESET",
    );
  });

  it("ignores a ruling-out that comes after the value", async () => {
    let rule!: (why: string) => void;
    const ruledOut = new Promise<string>((resolve) => (rule = resolve));
    await expect(within(1000, "an answer", Promise.resolve("yes"), ruledOut)).resolves.toBe("yes");
    rule("too late");
  });
});
