import { because, expectProblem, seededRandom } from "@backend-sandbox/testkit";
import { describeReply } from "#support/describe-reply";
import { useApi } from "#support/use-api";

const random = seededRandom();
const api = useApi();
const STRONG = /^"[\x21\x23-\x7e]*"$/;

async function aProjectWithTag() {
  const created = await api.post("/projects", { name: `Tagged ${random.token(6)}` });
  const path = `/projects/${created.body.id}`;
  const read = await api.get(path);
  return { path, created, etag: read.headers.get("etag") ?? "" };
}

describe("conditional-requests", () => {
  it("[R4.1] sends a strong ETag on 201 and 200, the same for the same state", async () => {
    const { created, etag } = await aProjectWithTag();
    because(
      `expected a strong ETag (no W/) on GET that equals the one on 201; got GET ${etag}, 201 ${created.headers.get("etag")}`,
      () => {
        expect(etag).toMatch(STRONG);
        expect(created.headers.get("etag")).toBe(etag);
      },
    );
  });

  it("[R4.2] answers If-None-Match with 304 by weak comparison over a list, and 200 when no tag matches", async () => {
    const { path, etag } = await aProjectWithTag();
    const cases: [string, number][] = [
      [etag, 304],
      [`W/${etag}`, 304],
      [`"nope", ${etag}`, 304],
      ["*", 304],
      ['"nope"', 200],
    ];
    for (const [header, status] of cases) {
      for (const method of ["GET", "HEAD"]) {
        const reply = await api.send(method, path, { headers: { "if-none-match": header } });
        because(
          `expected ${method} with If-None-Match: ${header} (current ${etag}) to be ${status}; got ${describeReply(reply)}`,
          () => {
            expect(reply.status).toBe(status);
            expect(reply.headers.get("etag")).toBe(etag);
            if (status === 304) expect(reply.text).toBe("");
          },
        );
      }
    }
  });

  it("[R4.3, R4.4] requires If-Match on PUT with 428 and refuses a stale or weak one with 412, leaving the project as it was", async () => {
    const { path, etag } = await aProjectWithTag();
    const before = (await api.get(path)).body;
    const stale = await api.put(path, { name: "first writer" }, { "if-match": etag });
    expect(stale.status).toBe(200);
    const current = stale.headers.get("etag")!;
    const cases: [Record<string, string>, number][] = [
      [{}, 428],
      [{ "if-match": etag }, 412],
      [{ "if-match": `W/${current}` }, 412],
      [{ "if-match": '"other"' }, 412],
    ];
    for (const [headers, status] of cases) {
      const reply = await api.put(path, { name: "lost update" }, headers);
      expectProblem(
        reply,
        status,
        `PUT with If-Match ${headers["if-match"] ?? "(none)"} (current ${current})`,
        ["detail", "instance"],
      );
    }
    const after = await api.get(path);
    because(`expected the refused PUTs to change nothing; got ${describeReply(after)}`, () =>
      expect(after.body).toEqual({
        ...before,
        name: "first writer",
        updatedAt: after.body.updatedAt,
      }),
    );
  });

  it("[R4.1, R4.4] accepts the current ETag in a list (or *) and answers with a new one", async () => {
    const { path, etag } = await aProjectWithTag();
    const name = `Renamed ${random.token(6)}`;
    const put = await api.put(path, { name }, { "if-match": `"other", ${etag}` });
    const read = await api.get(path);
    because(
      `expected 200 and a new ETag that GET then returns; got ${describeReply(put)} ETag ${put.headers.get("etag")}, GET ETag ${read.headers.get("etag")}`,
      () => {
        expect(put.status).toBe(200);
        expect(put.headers.get("etag")).toMatch(STRONG);
        expect(put.headers.get("etag")).not.toBe(etag);
        expect(read.headers.get("etag")).toBe(put.headers.get("etag"));
        expect(read.body.name).toBe(name);
      },
    );
    expect((await api.put(path, { name: "star" }, { "if-match": "*" })).status).toBe(200);
  });

  it("[R4.6] answers 404, not 412 or 428, for a project that does not exist", async () => {
    const path = "/projects/3b241101-e2bb-4255-8caf-4136c566a962";
    for (const headers of [{}, { "if-match": '"v1"' }, { "if-match": "*" }] as Record<
      string,
      string
    >[]) {
      for (const reply of [
        await api.put(path, { name: "ghost" }, headers),
        await api.del(path, headers),
      ]) {
        because(
          `expected ${reply.method} of a missing project with ${JSON.stringify(headers)} to be 404; got ${describeReply(reply)}`,
          () => expect(reply.status).toBe(404),
        );
      }
    }
  });

  it("[R4.7] honours If-Match on DELETE, * included", async () => {
    const { path, etag } = await aProjectWithTag();
    await api.put(path, { name: "moved on" }, { "if-match": etag });
    const stale = await api.del(path, { "if-match": etag });
    because(`expected DELETE with a stale If-Match to be 412; got ${describeReply(stale)}`, () =>
      expect(stale.status).toBe(412),
    );
    expect((await api.get(path)).status).toBe(200);
    const current = (await api.get(path)).headers.get("etag")!;
    expect((await api.del(path, { "if-match": current })).status).toBe(204);
    const other = await aProjectWithTag();
    const star = await api.del(other.path, { "if-match": "*" });
    because(`expected DELETE with If-Match: * to be 204; got ${describeReply(star)}`, () =>
      expect(star.status).toBe(204),
    );
    expect((await api.get(other.path)).status).toBe(404);
  });

  it("[R4.1, R4.4] keeps accepting the current ETag however many times a project changes", async () => {
    const { path, etag: first } = await aProjectWithTag();
    let etag = first;
    const seen = new Set([etag]);
    for (let i = 0; i < 11; i++) {
      const put = await api.put(path, { name: `change ${i}` }, { "if-match": etag });
      because(
        `expected change ${i + 1} with the current If-Match ${etag} to be 200 with a new ETag; got ${describeReply(put)} ETag ${put.headers.get("etag")}`,
        () => {
          expect(put.status).toBe(200);
          expect(seen.has(put.headers.get("etag") ?? "")).toBe(false);
        },
      );
      etag = put.headers.get("etag")!;
      seen.add(etag);
    }
    const read = await api.get(path, { "if-none-match": etag });
    because(
      `expected If-None-Match ${etag} to be 304 after 11 changes; got ${describeReply(read)}`,
      () => expect(read.status).toBe(304),
    );
    expect((await api.del(path, { "if-match": etag })).status).toBe(204);
  });

  it("[R4.6, R2.4] checks a PUT for 428, then 422, then 412", async () => {
    const { path, etag } = await aProjectWithTag();
    const before = (await api.get(path)).body;
    const invalid = { name: "", priority: 9 };
    const cases: [Record<string, string>, number][] = [
      [{}, 428],
      [{ "if-match": '"stale"' }, 422],
      [{ "if-match": etag }, 422],
    ];
    for (const [headers, status] of cases) {
      const reply = await api.put(path, invalid, headers);
      expectProblem(
        reply,
        status,
        `PUT of an invalid body with If-Match ${headers["if-match"] ?? "(none)"} (current ${etag})`,
        ["detail", "instance"],
      );
    }
    expect((await api.get(path)).body).toEqual(before);
  });

  it("[R4.5] treats malformed If-Match and If-None-Match values as matching nothing, never 500", async () => {
    const { path, etag } = await aProjectWithTag();
    const opaque = etag.slice(1, -1);
    const shapes: [string, string][] = [
      ["empty", ""],
      ["unterminated", `"${opaque}`],
      ["without quotes", opaque],
      ["an empty tag", '""'],
      ["a fraction", '"v1.5"'],
      ["a negative version", '"v-1"'],
      ["a number too large for any integer column", `"v${"9".repeat(30)}"`],
      ["just over 32 bits", '"v4294967296"'],
      ["other characters", `"${opaque}\u00e9"`],
      ["other characters first", `"x${opaque}"`],
      ["huge (one 8 kB tag)", `"${"9".repeat(8000)}"`],
      [
        "huge (a list of 800 tags)",
        Array.from({ length: 800 }, (_, i) => `"v${i + 1000}"`).join(", "),
      ],
    ];
    for (const [shape, value] of shapes) {
      const put = await api.put(path, { name: "must not land" }, { "if-match": value });
      const del = await api.del(path, { "if-match": value });
      const get = await api.get(path, { "if-none-match": value });
      because(
        `expected If-Match ${shape} to be 412 on PUT and DELETE, and If-None-Match ${shape} to be 200 on GET (current ${etag}); got PUT ${describeReply(put)}, DELETE ${describeReply(del)}, GET ${get.status}`,
        () => {
          expect(put.status).toBe(412);
          expect(del.status).toBe(412);
          expect(get.status).toBe(200);
          expect(get.headers.get("etag")).toBe(etag);
        },
      );
    }
  });
});
