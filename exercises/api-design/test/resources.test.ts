import { aProject } from "#support/a-project";
import { useApi } from "#support/use-api";

const api = useApi();

describe("resources", () => {
  it("[R1.1] creates a project: 201, a Location to it, and the project in the body", async () => {
    const created = await api.post("/projects", aProject("Spring catalogue"));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: "Spring catalogue",
      status: "active",
      priority: 3,
      tags: [],
    });
    const location = created.headers.get("location")!;
    expect(new URL(location, api.url).pathname).toBe(`/projects/${created.body.id}`);

    const read = await api.get(location);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created.body);
  });

  it("[R1.6] answers 405 with an Allow header for a method the collection does not support", async () => {
    const reply = await api.send("PATCH", "/projects", { json: {} });
    expect(reply.status).toBe(405);
    expect(reply.headers.get("allow")).toMatch(/\bPOST\b/);
  });
});
