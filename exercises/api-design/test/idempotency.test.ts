import { aProject } from "#support/a-project";
import { useApi } from "#support/use-api";

const api = useApi();

describe("idempotency", () => {
  it("[R5.1] replays the first response to a retried POST with the same Idempotency-Key", async () => {
    const key = { "idempotency-key": "order-42-attempt" };
    const first = await api.post("/projects", aProject("Once only"), key);
    const retry = await api.post("/projects", aProject("Once only"), key);
    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers.get("location")).toBe(first.headers.get("location"));
  });

  it("[R5.2] refuses the same key with a different payload with 422", async () => {
    const key = { "idempotency-key": "reused-key" };
    expect((await api.post("/projects", aProject("One"), key)).status).toBe(201);
    expect((await api.post("/projects", aProject("Another"), key)).status).toBe(422);
  });

  it("[R5.3] creates one project for concurrent requests with one key", async () => {
    const key = { "idempotency-key": "double-click" };
    const replies = await Promise.all(
      Array.from({ length: 5 }, () => api.post("/projects", aProject("Clicked twice"), key)),
    );
    const created = replies.filter((reply) => reply.status === 201);
    expect(replies.every((reply) => reply.status === 201 || reply.status === 409)).toBe(true);
    expect(new Set(created.map((reply) => reply.body.id)).size).toBe(1);
  });

  it("[R5.6] answers 400 to a malformed key, such as an unterminated quoted one", async () => {
    expect(
      (await api.post("/projects", aProject(), { "idempotency-key": '"unterminated' })).status,
    ).toBe(400);
  });
});
