import { expectProblem } from "@backend-sandbox/testkit";
import { pointersOf } from "#support/pointers-of";
import { useApi } from "#support/use-api";

const api = useApi();

describe("errors", () => {
  it("[R1.3, R2.1] answers an unknown project with 404 problem details", async () => {
    const reply = await api.get("/projects/4f1c2a9e-0000-4000-8000-000000000000");
    expectProblem(reply, 404, "GET of a project that does not exist", ["detail", "instance"]);
  });

  it("[R2.1, R2.4] answers 422 with one JSON Pointer per invalid field", async () => {
    const reply = await api.post("/projects", { name: "", priority: 9 });
    expectProblem(reply, 422, "a project with an empty name and priority 9", [
      "detail",
      "instance",
    ]);
    expect(pointersOf(reply)).toEqual(["#/name", "#/priority"]);
  });

  it("[R2.1, R1.6, R1.7, R1.8] answers 405, 415 and 400 as problem details too", async () => {
    expectProblem(
      await api.send("PATCH", "/projects", { json: {} }),
      405,
      "PATCH on the collection",
      ["detail", "instance"],
    );
    expectProblem(
      await api.send("POST", "/projects", {
        raw: "name",
        headers: { "content-type": "text/plain" },
      }),
      415,
      "a text/plain body",
      ["detail", "instance"],
    );
    expectProblem(
      await api.send("POST", "/projects", {
        raw: '{"name":',
        headers: { "content-type": "application/json" },
      }),
      400,
      "malformed JSON",
      ["detail", "instance"],
    );
  });
});
