import { because, seededRandom, useLearner } from "@backend-sandbox/testkit";
import { send } from "#support/send";
import { servePublicRoute } from "#support/serve-public-route";

const learner = useLearner();

const random = seededRandom();
const seed = `(seed ${random.seed})`;

// The other header tests name Keep-Alive in Connection too, which hides a list that forgets it.
describe("headers: hop-by-hop headers that Connection does not name", () => {
  it("[R2.1] strips a bare Keep-Alive and Trailer from the request", async () => {
    const { upstream: svc, url } = await servePublicRoute(learner, "svc", "/svc");
    const trailer = `x-sum-${random.token(6)}`;

    // A chunked body, since Node sends a Trailer header only with one; Connection: close names neither.
    await send(url, "/svc/a", {
      method: "POST",
      headers: { connection: "close", "keep-alive": "timeout=5", trailer },
      body: [Buffer.from("a chunk")],
    });

    const forwarded = svc.received[0]!;
    const leaked = ["keep-alive", "trailer"].filter((name) => forwarded.headerNames.includes(name));
    because(
      `expected neither Keep-Alive nor Trailer upstream though Connection named neither; leaked: ${leaked.join(", ") || "none"} ${seed}`,
      () => expect(leaked).toEqual([]),
    );
  });

  it("[R2.1] strips a bare Trailer from the response", async () => {
    const { upstream: svc, url } = await servePublicRoute(learner, "svc", "/svc");
    const trailer = `x-sum-${random.token(6)}`;
    svc.behaviour = (_req, res) => {
      res.writeHead(200, { trailer, "x-end": "kept" }); // no Content-Length: chunked
      res.end("ok");
    };

    const answer = await send(url, "/svc/a");

    because(
      `expected the client not to see the upstream's Trailer (${trailer}); it saw ${JSON.stringify(Object.fromEntries(answer.headers))} ${seed}`,
      () => {
        expect(answer.headers.get("trailer")).toBeNull();
        expect(answer.headers.get("x-end")).toBe("kept");
      },
    );
  });
});
