import { because, expectProblem, seededRandom } from "@backend-sandbox/testkit";
import { describeReply } from "#support/describe-reply";
import { pointersOf } from "#support/pointers-of";
import { useApi } from "#support/use-api";

const random = seededRandom();
const api = useApi();
const fourTags = (bad: unknown, at: number) =>
  ["ok", "fine", "good", "nice"].map((tag, i) => (i === at ? bad : tag));

describe("errors", () => {
  it("[R2.4] points at each invalid value of each field, one field at a time", async () => {
    const at = random.int(0, 3);
    const cases: [Record<string, unknown>, string][] = [
      ...[42, "", "   ", "\t\n", "n".repeat(101), null, ["x"]].map(
        (name): [Record<string, unknown>, string] => [{ name }, "#/name"],
      ),
      ...["done", "ACTIVE", "", 1, null].map((status): [Record<string, unknown>, string] => [
        { name: "ok", status },
        "#/status",
      ]),
      ...[0, 6, -1, 2.5, "3", null].map((priority): [Record<string, unknown>, string] => [
        { name: "ok", priority },
        "#/priority",
      ]),
      ...["", 42, "t".repeat(31), null].map((tag): [Record<string, unknown>, string] => [
        { name: "ok", tags: fourTags(tag, at) },
        `#/tags/${at}`,
      ]),
      [{ name: "ok", tags: { 0: "a" } }, "#/tags"],
    ];
    for (const [body, pointer] of cases) {
      const reply = await api.post("/projects", body);
      because(
        `expected POST /projects with ${JSON.stringify(body).slice(0, 80)} to be 422 with the one pointer ${pointer} (seed ${random.seed}); got ${describeReply(reply)}`,
        () => {
          expect(reply.status).toBe(422);
          expect(pointersOf(reply)).toEqual([pointer]);
        },
      );
    }
  });

  it("[R2.4] points at the whole body (#) when it is an array, not an object", async () => {
    for (const body of [[], [{ name: "in an array" }]]) {
      const reply = await api.post("/projects", body);
      because(
        `expected POST /projects with ${JSON.stringify(body)} to be 422 with the one pointer #; got ${describeReply(reply)}`,
        () => {
          expect(reply.status).toBe(422);
          expect(pointersOf(reply)).toEqual(["#"]);
        },
      );
    }
  });

  it("[R2.4] accepts every value at the edges of the field table", async () => {
    const bodies = [
      { name: "n".repeat(100), priority: 1, tags: Array.from({ length: 10 }, (_, i) => `t${i}`) },
      {
        name: ` ${random.token(1)} `,
        priority: 5,
        tags: ["a", "t".repeat(30)],
        status: "archived",
      },
    ];
    for (const body of bodies) {
      const reply = await api.post("/projects", body);
      because(
        `expected POST /projects with ${JSON.stringify(body).slice(0, 120)} to be 201; got ${describeReply(reply)}`,
        () => {
          expect(reply.status).toBe(201);
          expect(reply.body).toMatchObject(body);
        },
      );
    }
  });

  it("[R2.4] escapes an unknown field's name in its pointer (RFC 6901 in URI-fragment form)", async () => {
    const field = `a/b~c ${random.token(3)}/~`;
    const reply = await api.post("/projects", { name: "ok", [field]: true });
    expectProblem(reply, 422, `a body with the unknown field ${field}`, ["detail", "instance"]);
    const expected = `#/a~1b~0c%20${field.slice(6, 9)}~1~0`;
    because(
      `expected the pointer ${expected} for the field ${field}; got ${JSON.stringify(reply.body.errors)}`,
      () => expect(pointersOf(reply)).toEqual([expected]),
    );
  });
});
