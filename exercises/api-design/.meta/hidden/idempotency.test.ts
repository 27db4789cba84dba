import {
  because,
  expectProblem,
  manualClock,
  PROBLEM_JSON,
  seededRandom,
} from "@backend-sandbox/testkit";
import { describeReply } from "#support/describe-reply";
import { useApi } from "#support/use-api";
import { walk } from "#support/walk";

const random = seededRandom();
const clock = manualClock(Date.parse("2025-03-01T09:00:00.000Z"));
const api = useApi({ now: clock.date });
const seed = `(seed ${random.seed})`;
const named = async (name: string) =>
  (await walk(api.get, api.url, "/projects?limit=50"))
    .flatMap((page) => page.items)
    .filter((p) => p.name === name);

describe("idempotency", () => {
  it("[R5.1] replays status, body and Location for a retry, marks it, and creates one project", async () => {
    const key = { "idempotency-key": random.token(24) };
    const body = { name: `Once ${random.token(8)}`, tags: [random.token(4)] };
    const first = await api.post("/projects", body, key);
    clock.advance(60_000);
    const retries = [
      await api.post("/projects", body, key),
      await api.post("/projects", { tags: body.tags, name: body.name }, key), // key order aside
    ];
    for (const retry of retries) {
      because(
        `expected a retry with the same key and body (in any key order) to replay 201, the body and Location ${seed}; got ${describeReply(retry)}`,
        () => {
          expect(first.status).toBe(201);
          expect(retry.status).toBe(201);
          expect(retry.body).toEqual(first.body);
          expect(retry.headers.get("location")).toBe(first.headers.get("location"));
          expect(retry.headers.get("idempotent-replayed")).toBe("true");
        },
      );
    }
    because(`expected the first response not to be marked as a replay`, () =>
      expect(first.headers.get("idempotent-replayed")).toBeNull(),
    );
    const made = await named(body.name);
    because(`expected exactly 1 project named ${body.name}; found ${made.length}`, () =>
      expect(made).toHaveLength(1),
    );
  });

  it("[R5.2, R2.1] refuses the same key with a different payload with 422, and creates nothing", async () => {
    const key = { "idempotency-key": random.token(24) };
    const name = `Original ${random.token(8)}`;
    expect((await api.post("/projects", { name }, key)).status).toBe(201);
    const changed = [
      { name: `Other ${random.token(8)}` },
      { name, priority: random.int(1, 5) },
      { name, tags: ["x"] },
    ];
    for (const body of changed) {
      const reply = await api.post("/projects", body, key);
      expectProblem(
        reply,
        422,
        `a reused Idempotency-Key with the different payload ${JSON.stringify(body)} ${seed}`,
        ["detail", "instance"],
      );
      because(
        `expected the problem type to be about:blank or an absolute URI; got ${reply.body?.type}`,
        () => expect(reply.body?.type).toMatch(/^[a-z][a-z0-9+.-]*:\S+$/i),
      );
      expect(await named(body.name)).toHaveLength(body.name === name ? 1 : 0);
    }
    const other = { "idempotency-key": random.token(24) };
    const [was, now] = random.pick([
      [2, 4],
      [5, 1],
    ]);
    expect((await api.post("/projects", { name, priority: was }, other)).status).toBe(201);
    expectProblem(
      await api.post("/projects", { name, priority: now }, other),
      422,
      `a reused Idempotency-Key with priority ${now} after ${was} ${seed}`,
      ["detail", "instance"],
    );
  });

  it("[R5.6] treats the quoted sf-string form and the bare form of a key as the same key", async () => {
    const token = random.token(20);
    const body = { name: `Quoted ${token}` };
    const first = await api.post("/projects", body, { "idempotency-key": `"${token}"` });
    const bare = await api.post("/projects", body, { "idempotency-key": token });
    because(
      `expected Idempotency-Key: "${token}" and ${token} to be one key; got ${describeReply(bare)}`,
      () => expect(bare.body?.id).toBe(first.body.id),
    );
  });

  it("[R5.4] does not store a refused request: a corrected retry with the same key is processed", async () => {
    const key = { "idempotency-key": random.token(24) };
    expect((await api.post("/projects", { name: "" }, key)).status).toBe(422);
    const corrected = await api.post("/projects", { name: `Fixed ${random.token(6)}` }, key);
    because(`expected the corrected retry to be created; got ${describeReply(corrected)}`, () =>
      expect(corrected.status).toBe(201),
    );
  });

  it("[R5.6] accepts every character a key may hold, quoted or bare", async () => {
    const token = `!#$%&'()*+,-./:;<=>?@[]^_\`{|}~${random.token(8)}`;
    const body = { name: `Punctuation ${random.token(8)}` };
    const quoted = await api.post("/projects", body, { "idempotency-key": `"${token}"` });
    const bare = await api.post("/projects", body, { "idempotency-key": token });
    because(
      `expected the key ${token} to be accepted, and quoted and bare to be one key; got ${describeReply(quoted)} then ${describeReply(bare)}`,
      () => {
        expect(quoted.status).toBe(201);
        expect(bare.status).toBe(201);
        expect(bare.body?.id).toBe(quoted.body?.id);
      },
    );
  });

  it("[R5.6] accepts keys of 1 and of 255 characters, quoted or bare", async () => {
    for (const token of [random.token(1), random.token(255)]) {
      const body = { name: `Length ${token.length} ${random.token(8)}` };
      const quoted = await api.post("/projects", body, { "idempotency-key": `"${token}"` });
      const bare = await api.post("/projects", body, { "idempotency-key": token });
      because(
        `expected a key of ${token.length} characters to be accepted, quoted and bare as one key; got ${describeReply(quoted)} then ${describeReply(bare)}`,
        () => {
          expect(quoted.status).toBe(201);
          expect(bare.status).toBe(201);
          expect(bare.body?.id).toBe(quoted.body?.id);
        },
      );
    }
  });

  it("[R5.6] answers 400 to a key in every malformed shape, and creates nothing", async () => {
    const name = `Bad key ${random.token(8)}`;
    const shapes: [string, string][] = [
      ["empty", ""],
      ["an empty sf-string", '""'],
      ["256 characters", "k".repeat(256)],
      ["256 characters in quotes", `"${"k".repeat(256)}"`],
      ["huge (8 kB)", "k".repeat(8000)],
      ["unterminated", '"unterminated'],
      ["only closed", 'unopened"'],
      ["with a quote inside", '"a"b"'],
      ["bare with a quote inside", 'a"b'],
      ["bare with a quoted tail", 'a"bc"'],
      ["with a backslash", "back\\slash"],
      ["quoted with an escape", '"back\\"slash"'],
      ["with a space", "two words"],
      ["quoted with a space", '"two words"'],
      ["with a tab", "a\tb"],
      ["not ASCII", "cl\u00e9"],
      ["a list of two keys", '"a", "b"'],
      ["a bare list of two keys", "a, b"],
      ["an sf-string with a parameter", '"abc";x=1'],
    ];
    for (const [shape, bad] of shapes) {
      const reply = await api.post("/projects", { name }, { "idempotency-key": bad });
      because(
        `expected an Idempotency-Key ${shape}, ${JSON.stringify(bad).slice(0, 40)}, to be 400 problem details; got ${describeReply(reply)}`,
        () => {
          expect(reply.status).toBe(400);
          expect(reply.headers.get("content-type")).toMatch(PROBLEM_JSON);
        },
      );
    }
    const made = await named(name);
    because(`expected no project from requests with a malformed key; found ${made.length}`, () =>
      expect(made).toHaveLength(0),
    );
  });

  it("[R5.5] forgets a key after 24 hours", async () => {
    const key = { "idempotency-key": random.token(24) };
    const first = await api.post("/projects", { name: `Day one ${random.token(5)}` }, key);
    clock.advance(23 * 3600_000);
    expect((await api.post("/projects", { name: "changed" }, key)).status).toBe(422);
    clock.advance(3600_000); // 24 h to the millisecond: new again
    const later = await api.post("/projects", { name: `Day two ${random.token(5)}` }, key);
    because(`expected the key to be new again after 24 h; got ${describeReply(later)}`, () => {
      expect(later.status).toBe(201);
      expect(later.body.id).not.toBe(first.body.id);
    });
  });

  it("[R5.7] creates a project per POST when no key is sent", async () => {
    const name = `Unkeyed ${random.token(8)}`;
    for (const reply of [
      await api.post("/projects", { name }),
      await api.post("/projects", { name }),
    ])
      because(
        `expected a POST without a key to be 201, not marked as a replay; got ${describeReply(reply)} Idempotent-Replayed: ${reply.headers.get("idempotent-replayed")}`,
        () => {
          expect(reply.status).toBe(201);
          expect(reply.headers.get("idempotent-replayed")).toBeNull();
        },
      );
    expect(await named(name)).toHaveLength(2);
  });
});
