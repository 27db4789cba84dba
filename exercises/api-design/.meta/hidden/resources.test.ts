import { because, seededRandom } from "@backend-sandbox/testkit";
import { describeReply } from "#support/describe-reply";
import { useApi } from "#support/use-api";

const random = seededRandom();
const api = useApi();
const seed = `(seed ${random.seed})`;
const allowOf = (header: string | null) =>
  new Set(
    (header ?? "")
      .split(",")
      .map((m) => m.trim().toUpperCase())
      .filter((m) => m && m !== "OPTIONS"),
  );

describe("resources", () => {
  it("[R1.1] creates with 201, a Location that reads back the same project, and defaults filled in", async () => {
    const name = `Catalogue ${random.token(8)}`;
    const tags = [random.token(5), random.token(6)];
    const priority = random.int(1, 5);
    const created = await api.post("/projects", { name, tags, priority });
    because(
      `expected 201 with the project in the body ${seed}; got ${describeReply(created)}`,
      () => {
        expect(created.status).toBe(201);
        expect(created.body).toMatchObject({ name, tags, priority, status: "active" });
        expect(typeof created.body.id).toBe("string");
      },
    );
    const location = created.headers.get("location");
    because(`expected Location to point at /projects/${created.body.id}; got ${location}`, () =>
      expect(new URL(location ?? "", `${api.url}/projects`).pathname).toBe(
        `/projects/${created.body.id}`,
      ),
    );
    const read = await api.get(location!);
    because(
      `expected GET <Location> to give 200 and the created project; got ${describeReply(read)}`,
      () => {
        expect(read.status).toBe(200);
        expect(read.body).toEqual(created.body);
      },
    );
  });

  it("[R1.2] stores hostile text verbatim", async () => {
    const name = `Robert'); DROP TABLE projects;-- ${random.token(4)} <script>✓</script> 🚀`;
    const created = await api.post("/projects", { name });
    const read = await api.get(`/projects/${created.body.id}`);
    because(`expected the name to read back unchanged; got ${describeReply(read)}`, () =>
      expect(read.body?.name).toBe(name),
    );
  });

  it("[R1.3] answers 404, never 500, for unknown and malformed ids", async () => {
    for (const id of [
      "3b241101-e2bb-4255-8caf-4136c566a962",
      "not-a-uuid",
      "1'%20OR%20'1'='1",
      random.token(40),
      // Only nearly UUIDs: Postgres refuses each as a uuid, so the shape check must be exact.
      "3b241101-e2bb-4255-8caf-4136c566a9620",
      "03b241101-e2bb-4255-8caf-4136c566a962",
      "3b241101-e2bb-4255-8caf-4136c566a96g",
    ]) {
      const reply = await api.get(`/projects/${id}`);
      because(`expected GET /projects/${id} to be 404; got ${describeReply(reply)}`, () =>
        expect(reply.status).toBe(404),
      );
    }
    const route = await api.get(`/${random.token(8)}`);
    because(`expected an unknown route to be 404; got ${describeReply(route)}`, () =>
      expect(route.status).toBe(404),
    );
  });

  it("[R1.4, R1.5] replaces with PUT (omitted fields back to defaults) and deletes with 204, then 404", async () => {
    const created = await api.post("/projects", {
      name: "Before",
      priority: 5,
      tags: ["x"],
      status: "archived",
    });
    const path = `/projects/${created.body.id}`;
    const name = `After ${random.token(6)}`;
    const put = await api.put(path, { name }, { "if-match": "*" });
    because(
      `expected PUT to answer 200 with the replaced project ${seed}; got ${describeReply(put)}`,
      () => {
        expect(put.status).toBe(200);
        expect(put.body).toMatchObject({
          id: created.body.id,
          name,
          priority: 3,
          tags: [],
          status: "active",
        });
      },
    );
    expect((await api.get(path)).body).toMatchObject({ name, priority: 3 });
    const deleted = await api.del(path);
    because(`expected DELETE to be 204 with no body; got ${describeReply(deleted)}`, () => {
      expect(deleted.status).toBe(204);
      expect(deleted.text).toBe("");
    });
    for (const reply of [
      await api.get(path),
      await api.del(path),
      await api.put(path, { name }, { "if-match": "*" }),
    ]) {
      because(`expected ${reply.method} after DELETE to be 404; got ${describeReply(reply)}`, () =>
        expect(reply.status).toBe(404),
      );
    }
  });

  it("[R1.6] answers 405 with the exact Allow list, and OPTIONS succeeds listing the same methods", async () => {
    const { body } = await api.post("/projects", { name: "Allow" });
    const cases: [string, string[], string[]][] = [
      ["/projects", ["PATCH", "PUT", "DELETE"], ["GET", "HEAD", "POST"]],
      [`/projects/${body.id}`, ["PATCH", "POST"], ["GET", "HEAD", "PUT", "DELETE"]],
    ];
    for (const [path, refused, allowed] of cases) {
      for (const method of refused) {
        const reply = await api.send(method, path, { json: { name: "x" } });
        because(
          `expected ${method} ${path} to be 405 with Allow: ${allowed.join(", ")}; got ${describeReply(reply)} Allow: ${reply.headers.get("allow")}`,
          () => {
            expect(reply.status).toBe(405);
            expect(allowOf(reply.headers.get("allow"))).toEqual(new Set(allowed));
          },
        );
      }
      const options = await api.send("OPTIONS", path);
      because(
        `expected OPTIONS ${path} to answer 200 or 204 and list ${allowed.join(", ")} in Allow; got ${options.status}, Allow: ${options.headers.get("allow")}`,
        () => {
          expect([200, 204]).toContain(options.status);
          expect(allowOf(options.headers.get("allow"))).toEqual(new Set(allowed));
        },
      );
    }
  });

  it("[R1.7, R1.8] answers 415 to bodies that are not application/json, and 400 to malformed JSON", async () => {
    const { body } = await api.post("/projects", { name: "Media" });
    const item = `/projects/${body.id}`;
    const json = JSON.stringify({ name: "x" });
    const cases: [string, string, Record<string, string>, string | Uint8Array, number][] = [
      ["POST", "/projects", { "content-type": "text/plain" }, json, 415],
      ["POST", "/projects", {}, new TextEncoder().encode(json), 415],
      ["POST", "/projects", { "content-type": "application/x-www-form-urlencoded" }, "name=x", 415],
      ["PUT", item, { "content-type": "text/plain", "if-match": "*" }, json, 415],
      ["POST", "/projects", { "content-type": "application/json; charset=latin1" }, json, 415],
      [
        "POST",
        "/projects",
        { "content-type": "application/json", "content-encoding": "x-rot13" },
        json,
        415,
      ],
      ["POST", "/projects", { "content-type": "application/json; charset=utf-8" }, json, 201],
      ["POST", "/projects", { "content-type": "application/json" }, '{"name":', 400],
      ["PUT", item, { "content-type": "application/json", "if-match": "*" }, "{'name': 'x'}", 400],
    ];
    for (const [method, path, headers, raw, status] of cases) {
      const reply = await api.send(method, path, { headers, raw });
      because(
        `expected ${method} ${path} with Content-Type ${headers["content-type"] ?? "(none)"}${headers["content-encoding"] ? ` and Content-Encoding ${headers["content-encoding"]}` : ""} and body ${typeof raw === "string" ? raw.slice(0, 30) : "(bytes)"} to be ${status}; got ${describeReply(reply)}`,
        () => expect(reply.status).toBe(status),
      );
    }
  });
});
