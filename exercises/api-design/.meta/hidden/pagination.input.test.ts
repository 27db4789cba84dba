import { because, manualClock, seededRandom } from "@backend-sandbox/testkit";
import { describeReply } from "#support/describe-reply";
import { linksIn } from "#support/link-header";
import { useApi } from "#support/use-api";
import { walk } from "#support/walk";

const random = seededRandom();
const clock = manualClock(Date.parse("2025-03-01T09:00:00.000Z"));
// The app's process counts its calls to timingSafeEqual from before its code loads (R3.10).
const api = useApi(
  { now: clock.date, cursorSecret: `secret-${random.token(8)}` },
  { watch: [["node:crypto", "timingSafeEqual"]] },
);
beforeAll(async () => {
  for (let i = 0; i < 56; i += 8) {
    clock.advance(1000);
    await Promise.all(
      Array.from({ length: 8 }, (_, j) => api.post("/projects", { name: `p${i + j}` })),
    );
  }
}, 60_000);

const firstCursor = async (query = "limit=3") => {
  const reply = await api.get(`/projects?${query}`);
  const next = linksIn(reply.headers.get("link")).get("next")!;
  return new URL(next, api.url).searchParams.get("cursor")!;
};
// Flips the high bit of a base64 digit, which every base64 decoder keeps; other characters become "A".
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const tamper = (cursor: string, at: number) => {
  const index = ALPHABET.indexOf(cursor[at]!);
  return cursor.slice(0, at) + (index < 0 ? "A" : ALPHABET[index ^ 32]) + cursor.slice(at + 1);
};

describe("pagination", () => {
  it("[R3.2] uses 20 items by default and clamps the page size to 50, however large the limit", async () => {
    for (const [query, size] of [
      ["", 20],
      ["?limit=1", 1],
      ["?limit=9", 9],
      ["?limit=50", 50],
      [`?limit=${random.int(51, 5000)}`, 50],
      [`?limit=${"9".repeat(30)}`, 50],
    ] as const) {
      const reply = await api.get(`/projects${query}`);
      because(
        `expected GET /projects${query} to hold ${size} items; got ${reply.body?.items?.length} (${reply.status})`,
        () => expect(reply.body?.items?.length).toBe(size),
      );
    }
  });

  it("[R3.5] answers 400 to an invalid limit, sort or filter, or one given twice", async () => {
    for (const query of [
      "limit=0",
      "limit=-5",
      "limit=abc",
      "limit=2.5",
      "sort=price",
      "sort=createdAt;DROP",
      "sort=toString",
      "sort=__proto__",
      "status=done",
      "priority=9",
      "priority=0",
      "priority=6",
      "priority=15",
      "priority=x1",
      "limit=1&limit=2",
      "sort=name&sort=-name",
      "status=active&status=archived",
      "priority=1&priority=2",
      "cursor=a&cursor=b",
    ]) {
      const reply = await api.get(`/projects?${query}`);
      because(`expected GET /projects?${query} to be 400; got ${describeReply(reply)}`, () =>
        expect(reply.status).toBe(400),
      );
    }
  });

  it("[R3.8, R2.1] answers 400, never 500 or a page, to a cursor that was tampered with or forged", async () => {
    const cursor = await firstCursor();
    const positions = Array.from({ length: 10 }, () => random.int(0, cursor.length - 1));
    const forged = [
      "!!!",
      Buffer.from("garbage").toString("base64url"),
      Buffer.from(JSON.stringify({ createdAt: "2025-01-01T00:00:00Z", id: "x" })).toString(
        "base64url",
      ),
      Buffer.from(JSON.stringify({ offset: 5 })).toString("base64url"),
      ...positions.map((at) => tamper(cursor, at)),
    ];
    for (const bad of forged) {
      const reply = await api.get(`/projects?limit=3&cursor=${encodeURIComponent(bad)}`);
      because(
        `expected a tampered cursor to be 400 problem details, its type about:blank or an absolute URI (seed ${random.seed}); got ${describeReply(reply)} for cursor ${bad}`,
        () => {
          expect(reply.status).toBe(400);
          expect(reply.body?.type).toMatch(/^[a-z][a-z0-9+.-]*:\S+$/i);
        },
      );
    }
    expect((await api.get(`/projects?limit=3&cursor=${encodeURIComponent(cursor)}`)).status).toBe(
      200,
    );
  });

  it("[R3.9] answers 400 to a cursor presented with another sort or filter, and accepts another limit", async () => {
    const cursor = encodeURIComponent(await firstCursor("limit=3&sort=name"));
    for (const query of [
      `sort=-name&cursor=${cursor}`,
      `sort=name&status=archived&cursor=${cursor}`,
    ]) {
      const reply = await api.get(`/projects?limit=3&${query}`);
      because(`expected GET /projects?${query} to be 400; got ${describeReply(reply)}`, () =>
        expect(reply.status).toBe(400),
      );
    }
    const otherLimit = await api.get(`/projects?limit=5&sort=name&cursor=${cursor}`);
    because(
      `expected the cursor to be accepted with another limit; got ${describeReply(otherLimit)}`,
      () => {
        expect(otherLimit.status).toBe(200);
        expect(otherLimit.body.items).toHaveLength(5);
      },
    );
  });

  it("[R3.8] answers 400, never 500, to a cursor in every malformed shape", async () => {
    const cursor = await firstCursor();
    const lastPart = cursor.slice(cursor.lastIndexOf(".") + 1);
    const middle = Math.floor(cursor.length / 2);
    const shapes: [string, string][] = [
      ["empty", ""],
      ["truncated by one character", cursor.slice(0, -1)],
      ["truncated by half", cursor.slice(0, middle)],
      ["without its first character", cursor.slice(1)],
      ["lengthened by four characters", `${cursor}AAAA`],
      ["with its last part repeated as an extra part", `${cursor}.${lastPart}`],
      ["with its first part only", cursor.split(".")[0]!],
      ["with its last part only", `.${lastPart}`],
      ["with a character outside base64url inserted", `${cursor.slice(0, -8)}!${cursor.slice(-8)}`],
      ["with a space inserted", `${cursor.slice(0, -8)} ${cursor.slice(-8)}`],
      ["huge (8 kB of A)", "A".repeat(8000)],
      ["huge (the cursor repeated)", cursor.repeat(Math.ceil(8000 / cursor.length))],
    ];
    for (const [shape, bad] of shapes) {
      const reply = await api.get(`/projects?limit=3&cursor=${encodeURIComponent(bad)}`);
      because(
        `expected a cursor ${shape} to be 400 (seed ${random.seed}); got ${describeReply(reply)} for cursor ${bad.slice(0, 80)}`,
        () => expect(reply.status).toBe(400),
      );
    }
  });

  it("[R3.10] verifies a cursor's signature with node:crypto's timingSafeEqual", async () => {
    const cursor = await firstCursor();
    const before = await api.calls("node:crypto", "timingSafeEqual");
    const reply = await api.get(`/projects?limit=3&cursor=${encodeURIComponent(cursor)}`);
    const calls = (await api.calls("node:crypto", "timingSafeEqual")) - before;
    because(`expected a cursor the API issued to be accepted; got ${describeReply(reply)}`, () =>
      expect(reply.status).toBe(200),
    );
    because(
      `expected the signature check of a cursor to call timingSafeEqual from node:crypto (a constant-time comparison); it was called ${calls} times while the cursor was checked`,
      () => expect(calls).toBeGreaterThan(0),
    );
  });

  it("[R3.4] accepts every status and every priority as a filter", async () => {
    for (const query of [
      "status=active",
      "status=archived",
      ..."12345".split("").map((p) => `priority=${p}`),
    ]) {
      const reply = await api.get(`/projects?${query}`);
      because(`expected GET /projects?${query} to be 200; got ${describeReply(reply)}`, () =>
        expect(reply.status).toBe(200),
      );
    }
  });

  it("[R3.6] sends no Link header on a last page that is exactly full", async () => {
    const limit = random.pick([7, 8, 14, 28]);
    const pages = await walk(api.get, api.url, `/projects?limit=${limit}`);
    because(
      `expected the 56 projects in ${56 / limit} full pages of ${limit}, the last without a Link (seed ${random.seed}); got pages of ${pages.map((p) => p.items.length).join(", ")}, the last with Link: ${pages.at(-1)?.link}`,
      () => expect(pages.map((p) => p.items.length)).toEqual(Array(56 / limit).fill(limit)),
    );
  });

  it("[R3.6] sends no Link header when everything fits on one page", async () => {
    const reply = await api.get("/projects?limit=50&status=archived");
    because(`expected no Link on a single page; got ${reply.headers.get("link")}`, () => {
      expect(reply.status).toBe(200);
      expect(reply.headers.get("link")).toBeNull();
    });
  });
});
