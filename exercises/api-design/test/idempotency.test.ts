import { useServices } from "@backend-sandbox/testkit";
import { aProject, startApi, type Api } from "#support/api";

const services = useServices();
let api: Api;
beforeAll(async () => {
  api = await startApi(services);
});

describe("idempotency", () => {
  it("replays the first response to a retried POST with the same Idempotency-Key", async () => {
    const key = { "idempotency-key": "order-42-attempt" };
    const first = await api.post("/projects", aProject("Once only"), key);
    const retry = await api.post("/projects", aProject("Once only"), key);
    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers.get("location")).toBe(first.headers.get("location"));
  });

  it("refuses the same key with a different payload with 422", async () => {
    const key = { "idempotency-key": "reused-key" };
    expect((await api.post("/projects", aProject("One"), key)).status).toBe(201);
    expect((await api.post("/projects", aProject("Another"), key)).status).toBe(422);
  });
});
