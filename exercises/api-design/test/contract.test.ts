import { useServices } from "@backend-sandbox/testkit";
import { aProject, startApi, type Api, type Reply } from "#support/api";
import { Contract } from "#support/contract";

const services = useServices();
const replies: Reply[] = [];
let api: Api;
beforeAll(async () => {
  api = await startApi(services, { record: (reply) => replies.push(reply) });
});

describe("contract", () => {
  it("[R6.1] serves an OpenAPI 3.1 document at /openapi.json", async () => {
    const reply = await api.get("/openapi.json");
    expect(reply.status).toBe(200);
    expect(reply.body.openapi).toMatch(/^3\.1\.\d+$/);
  });

  it("[R6.2] answers a create and a read exactly as the document describes", async () => {
    const contract = new Contract((await api.get("/openapi.json")).body);
    replies.length = 0;
    const created = await api.post("/projects", aProject());
    await api.get(created.headers.get("location")!);
    expect(replies.flatMap((reply) => contract.violations(reply))).toEqual([]);
  });
});
