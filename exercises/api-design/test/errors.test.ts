import { useServices } from "@backend-sandbox/testkit";
import { startApi, type Api } from "#support/api";
import { expectProblem, pointersOf } from "#support/problem";

const services = useServices();
let api: Api;
beforeAll(async () => {
  api = await startApi(services);
});

describe("errors", () => {
  it("answers an unknown project with 404 problem details", async () => {
    const reply = await api.get("/projects/4f1c2a9e-0000-4000-8000-000000000000");
    expectProblem(reply, 404, "GET of a project that does not exist");
  });

  it("answers 422 with one JSON Pointer per invalid field", async () => {
    const reply = await api.post("/projects", { name: "", priority: 9 });
    expectProblem(reply, 422, "a project with an empty name and priority 9");
    expect(pointersOf(reply)).toEqual(["#/name", "#/priority"]);
  });
});
