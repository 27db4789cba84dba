import { because, seededRandom, useServices } from "@backend-sandbox/testkit";
import { ManualClock, startApi, type Api } from "#support/api";
import { walk } from "#support/link";
import { describeReply, expectProblem } from "#support/problem";

const services = useServices();
const random = seededRandom();
const clock = new ManualClock();
let api: Api;
beforeAll(async () => {
  api = await startApi(services, { now: clock.now });
});
const seed = `(seed ${random.seed})`;
const named = async (name: string) =>
  (await walk(api.get, api.url, "/projects?limit=50")).flatMap((page) => page.items).filter((p) => p.name === name);

describe("idempotency", () => {
  it("replays status, body and Location for a retry, marks it, and creates one project", async () => {
    const key = { "idempotency-key": random.token(24) };
    const body = { name: `Once ${random.token(8)}`, tags: [random.token(4)] };
    const first = await api.post("/projects", body, key);
    clock.advance(60_000);
    const retries = [await api.post("/projects", body, key), await api.post("/projects", body, key)];
    for (const retry of retries) {
      because(`expected a retry with the same key and body to replay 201, the body and Location ${seed}; got ${describeReply(retry)}`, () => {
        expect(first.status).toBe(201);
        expect(retry.status).toBe(201);
        expect(retry.body).toEqual(first.body);
        expect(retry.headers.get("location")).toBe(first.headers.get("location"));
        expect(retry.headers.get("idempotent-replayed")).toBe("true");
      });
    }
    because(`expected the first response not to be marked as a replay`, () => expect(first.headers.get("idempotent-replayed")).toBeNull());
    const made = await named(body.name);
    because(`expected exactly 1 project named ${body.name}; found ${made.length}`, () => expect(made).toHaveLength(1));
  });

  it("refuses the same key with a different payload with 422, and creates nothing", async () => {
    const key = { "idempotency-key": random.token(24) };
    const name = `Original ${random.token(8)}`;
    expect((await api.post("/projects", { name }, key)).status).toBe(201);
    const changed = [{ name: `Other ${random.token(8)}` }, { name, priority: random.int(1, 5) }, { name, tags: ["x"] }];
    for (const body of changed) {
      const reply = await api.post("/projects", body, key);
      expectProblem(reply, 422, `a reused Idempotency-Key with the different payload ${JSON.stringify(body)} ${seed}`);
      expect(await named(body.name)).toHaveLength(body.name === name ? 1 : 0);
    }
  });

  it("treats the quoted sf-string form and the bare form of a key as the same key", async () => {
    const token = random.token(20);
    const body = { name: `Quoted ${token}` };
    const first = await api.post("/projects", body, { "idempotency-key": `"${token}"` });
    const bare = await api.post("/projects", body, { "idempotency-key": token });
    because(`expected Idempotency-Key: "${token}" and ${token} to be one key; got ${describeReply(bare)}`, () =>
      expect(bare.body?.id).toBe(first.body.id),
    );
  });

  it("does not store a refused request: a corrected retry with the same key is processed", async () => {
    const key = { "idempotency-key": random.token(24) };
    expect((await api.post("/projects", { name: "" }, key)).status).toBe(422);
    const corrected = await api.post("/projects", { name: `Fixed ${random.token(6)}` }, key);
    because(`expected the corrected retry to be created; got ${describeReply(corrected)}`, () => expect(corrected.status).toBe(201));
  });

  it("answers 400 to a key that is empty, too long or not visible ASCII", async () => {
    for (const bad of ["", "k".repeat(256), "two words", "cl\u00e9", "\"unterminated"]) {
      const reply = await api.post("/projects", { name: "bad key" }, { "idempotency-key": bad });
      because(`expected Idempotency-Key ${JSON.stringify(bad).slice(0, 40)} to be 400; got ${describeReply(reply)}`, () =>
        expect(reply.status).toBe(400),
      );
    }
  });

  it("forgets a key after 24 hours", async () => {
    const key = { "idempotency-key": random.token(24) };
    const first = await api.post("/projects", { name: `Day one ${random.token(5)}` }, key);
    clock.advance(23 * 3600_000);
    expect((await api.post("/projects", { name: "changed" }, key)).status).toBe(422);
    clock.advance(3600_000 + 1000);
    const later = await api.post("/projects", { name: `Day two ${random.token(5)}` }, key);
    because(`expected the key to be new again after 24 h; got ${describeReply(later)}`, () => {
      expect(later.status).toBe(201);
      expect(later.body.id).not.toBe(first.body.id);
    });
  });

  it("creates a project per POST when no key is sent", async () => {
    const name = `Unkeyed ${random.token(8)}`;
    await api.post("/projects", { name });
    await api.post("/projects", { name });
    expect(await named(name)).toHaveLength(2);
  });
});
