import { aProject } from "#support/a-project";
import type { ApiReply } from "#support/api-client";
import { Contract } from "#support/contract";
import { useApi } from "#support/use-api";

const replies: ApiReply[] = [];
const api = useApi({ record: (reply) => replies.push(reply) });

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
