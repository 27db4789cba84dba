import { useLearner } from "@backend-sandbox/testkit";
import { send } from "#support/send";
import { servePublicRoute } from "#support/serve-public-route";

const learner = useLearner();

describe("headers", () => {
  it("[R2.1] drops a header the client named in Connection, keeps the others", async () => {
    const { upstream: users, url } = await servePublicRoute(learner, "users", "/users");

    await send(url, "/users/1", {
      headers: { connection: "keep-alive, x-hop", "x-hop": "secret", "x-end": "kept" },
    });

    const seen = users.received[0]!;
    expect(seen.headers["x-hop"]).toBeUndefined();
    expect(seen.headers["x-end"]).toBe("kept");
  });

  it("[R2.6] generates an X-Request-Id, sends it upstream and returns it", async () => {
    const { upstream: users, url } = await servePublicRoute(learner, "users", "/users");

    const answer = await send(url, "/users/1");

    expect(answer.headers.get("x-request-id")).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(users.received[0]!.headers["x-request-id"]).toBe(answer.headers.get("x-request-id"));
  });
});
