import { seededRandom, useLearner } from "@backend-sandbox/testkit";
import { expectProblem } from "#support/problem";
import { send } from "#support/send";
import { servePublicRoute } from "#support/serve-public-route";

const learner = useLearner();

const random = seededRandom();
const seed = `(seed ${random.seed})`;

describe("routing: the gateway's own errors", () => {
  it("[R1.6, R1.7, R1.8, R1.9] answers 404, 413 and 400 as problem documents with a title, a detail and the status", async () => {
    const limit = random.int(100, 1000);
    const { url } = await servePublicRoute(learner, "svc", "/svc", { maxBodyBytes: limit });
    const chunks = Array.from({ length: Math.ceil((limit * 3) / 100) }, () => Buffer.alloc(100, 1));

    const noRoute = await send(url, `/${random.token(8)}/x`);
    const declared = await send(url, "/svc/x", { method: "POST", body: "x".repeat(limit + 1) });
    const chunked = await send(url, "/svc/x", { method: "POST", body: chunks });
    const dotted = await send(url, "/svc/../admin");

    expectProblem(noRoute, 404, `a request no route matches ${seed}`);
    expectProblem(
      declared,
      413,
      `a Content-Length of ${limit + 1} over a limit of ${limit} ${seed}`,
    );
    expectProblem(chunked, 413, `a chunked body past a limit of ${limit} ${seed}`);
    expectProblem(dotted, 400, `the target /svc/../admin ${seed}`);
  });
});
