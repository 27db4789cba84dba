import { because, expectProblem, seededRandom } from "@backend-sandbox/testkit";
import type { Api } from "#support/api-client";
import { describeReply } from "#support/describe-reply";
import { pointersOf } from "#support/pointers-of";
import { useApi } from "#support/use-api";

const random = seededRandom();
const api = useApi();

describe("errors", () => {
  it("[R2.1, R2.2, R2.3, R1.3, R1.5, R1.6, R1.7, R1.8] answers every kind of client error as problem details", async () => {
    const { body } = await api.post("/projects", { name: "Problems" });
    const json = { "content-type": "application/json" };
    const cases: [string, () => ReturnType<Api["send"]>, number][] = [
      ["an unknown route", () => api.get(`/${random.token(6)}`), 404],
      ["an unknown project", () => api.get("/projects/3b241101-e2bb-4255-8caf-4136c566a962"), 404],
      ["PATCH on the collection", () => api.send("PATCH", "/projects", { json: {} }), 405],
      [
        "a text/plain body",
        () =>
          api.send("POST", "/projects", { raw: "name", headers: { "content-type": "text/plain" } }),
        415,
      ],
      [
        "malformed JSON",
        () => api.send("POST", "/projects", { raw: '{"name":', headers: json }),
        400,
      ],
      [
        "a 200 kB body",
        () =>
          api.send("POST", "/projects", {
            raw: JSON.stringify({ name: "x".repeat(200_000) }),
            headers: json,
          }),
        413,
      ],
      ["an invalid field", () => api.post("/projects", { name: 7 }), 422],
      [
        "DELETE of a deleted project",
        async () => (await api.del(`/projects/${body.id}`), api.del(`/projects/${body.id}`)),
        404,
      ],
    ];
    for (const [what, send, status] of cases) {
      const reply = await send();
      expectProblem(reply, status, what, ["detail", "instance"]);
      because(
        `expected the problem type of ${what} to be about:blank or an absolute URI; got ${JSON.stringify(reply.body.type)}`,
        () => expect(reply.body.type).toMatch(/^[a-z][a-z0-9+.-]*:\S+$/i),
      );
    }
  });

  it("[R2.4] points at every invalid field of a body with a JSON Pointer", async () => {
    const badTag = random.int(0, 3);
    const unknown = `x${random.token(5)}`;
    const tags = ["ok", "fine", "good", "nice"].map((tag, i) =>
      i === badTag ? random.pick(["", 42, "t".repeat(31)]) : tag,
    );
    const body = {
      name: random.pick([42, "", "   ", "n".repeat(101), null]),
      status: random.pick(["done", "ACTIVE", 1]),
      priority: random.pick([0, 6, 2.5, "3"]),
      tags,
      [unknown]: true,
    };
    const reply = await api.post("/projects", body);
    expectProblem(reply, 422, `POST /projects with ${JSON.stringify(body).slice(0, 200)}`, [
      "detail",
      "instance",
    ]);
    const expected = [
      "#/name",
      "#/priority",
      "#/status",
      `#/tags/${badTag}`,
      `#/${unknown}`,
    ].sort();
    because(
      `expected one error per invalid field with pointers ${expected.join(", ")} (seed ${random.seed}); got ${JSON.stringify(reply.body.errors)}`,
      () => expect(pointersOf(reply)).toEqual(expected),
    );
  });

  it("[R2.4] points at the name when it is missing, and at tags when it is not an array or too long", async () => {
    const reply = await api.post("/projects", { tags: "urgent" });
    expectProblem(reply, 422, "a body without name and with tags as a string", [
      "detail",
      "instance",
    ]);
    because(`expected pointers #/name and #/tags; got ${JSON.stringify(reply.body.errors)}`, () =>
      expect(pointersOf(reply)).toEqual(["#/name", "#/tags"]),
    );
    const eleven = await api.post("/projects", {
      name: "Many tags",
      tags: Array.from({ length: 11 }, (_, i) => `t${i}`),
    });
    expectProblem(eleven, 422, "a project with 11 tags", ["detail", "instance"]);
    because(`expected pointer #/tags for 11 tags; got ${JSON.stringify(eleven.body.errors)}`, () =>
      expect(pointersOf(eleven)).toEqual(["#/tags"]),
    );
  });

  it("[R2.5] answers a 422 on PUT the same way, and leaves the project unchanged", async () => {
    const created = await api.post("/projects", { name: "Keep me" });
    const path = `/projects/${created.body.id}`;
    const reply = await api.put(
      path,
      { name: "", priority: 10 },
      { "if-match": created.headers.get("etag") ?? "*" },
    );
    expectProblem(reply, 422, "PUT with an empty name and priority 10", ["detail", "instance"]);
    expect(pointersOf(reply)).toEqual(["#/name", "#/priority"]);
    const read = await api.get(path);
    because(`expected the project to keep its name; got ${describeReply(read)}`, () =>
      expect(read.body.name).toBe("Keep me"),
    );
  });
});
