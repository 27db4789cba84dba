import { PROBLEM_JSON, useLearner } from "@backend-sandbox/testkit";
import { send } from "#support/send";
import { servePublicRoute } from "#support/serve-public-route";

const learner = useLearner();

describe("routing", () => {
  it("[R1.1, R1.2] sends /api/users/42?x=1 to the users service as /42?x=1", async () => {
    const { upstream: users, url } = await servePublicRoute(learner, "users", "/api/users");

    const answer = await send(url, "/api/users/42?x=1");

    expect(answer.status).toBe(200);
    expect(users.received.map((r) => `${r.method} ${r.url}`)).toEqual(["GET /42?x=1"]);
  });

  it("[R1.6, R1.7] answers an unknown path with a 404 problem document", async () => {
    const { upstream: users, url } = await servePublicRoute(learner, "users", "/api/users");

    const answer = await send(url, "/api/nowhere");

    expect(answer.status).toBe(404);
    expect(answer.headers.get("content-type")).toMatch(PROBLEM_JSON);
    expect(users.received).toHaveLength(0);
  });

  it("[R1.6, R1.8] answers 413 to a body over maxBodyBytes without contacting the upstream", async () => {
    const { upstream: users, url } = await servePublicRoute(learner, "users", "/api/users", {
      maxBodyBytes: 100,
    });

    const answer = await send(url, "/api/users", { method: "POST", body: "x".repeat(101) });

    expect(answer.status).toBe(413);
    expect(answer.headers.get("content-type")).toMatch(PROBLEM_JSON);
    expect(users.received).toHaveLength(0);
  });
});
