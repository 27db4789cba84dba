import { because, seededRandom, useLearner, useServices } from "@backend-sandbox/testkit";
import { describeReply } from "#support/describe-reply";
import { useRacingApis } from "#support/racing-apis";
import { walk } from "#support/walk";

const services = useServices();
const learner = useLearner();
const random = seededRandom();
const racing = useRacingApis(learner, services);
const apis = racing.apis;
const count = async (name: string) =>
  (await walk(apis[0]!.get, apis[0]!.url, "/projects?limit=50"))
    .flatMap((page) => page.items)
    .filter((p) => p.name === name).length;

describe("idempotency", () => {
  it("[R5.3] creates exactly one project for concurrent requests with one key, across two instances", async () => {
    for (let round = 0; round < 3; round++) {
      const key = { "idempotency-key": random.token(24) };
      const body = { name: `Race ${random.token(8)}` };
      const n = random.int(8, 12);
      const replies = await racing.race(() =>
        Promise.all(Array.from({ length: n }, (_, i) => apis[i % 2]!.post("/projects", body, key))),
      );
      const created = replies.filter((r) => r.status === 201);
      const statuses = replies
        .map((r) => r.status)
        .sort()
        .join(", ");
      because(
        `expected ${n} concurrent POSTs with one key to answer 201 (first or replay) or 409 (in flight), all naming one project (seed ${random.seed}); got ${statuses}`,
        () => {
          expect(replies.every((r) => r.status === 201 || r.status === 409)).toBe(true);
          expect(created.length).toBeGreaterThan(0);
          expect(new Set(created.map((r) => r.body.id)).size).toBe(1);
        },
      );
      const made = await count(body.name);
      because(
        `expected exactly 1 project named ${body.name} after ${n} concurrent POSTs with one key; found ${made}`,
        () => expect(made).toBe(1),
      );
    }
  });

  it("[R5.3] creates one project per key when concurrent requests carry different keys", async () => {
    const body = { name: `Distinct ${random.token(8)}` };
    const n = random.int(6, 10);
    const replies = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        apis[i % 2]!.post("/projects", body, { "idempotency-key": random.token(20) }),
      ),
    );
    because(
      `expected ${n} POSTs with ${n} different keys to all be 201; got ${replies.map((r) => r.status).join(", ")}`,
      () => expect(replies.every((r) => r.status === 201)).toBe(true),
    );
    expect(await count(body.name)).toBe(n);
  });

  it("[R5.1, R5.7] leaves nothing pending after a first answer or a replay: another instance sees every project at once", async () => {
    const key = { "idempotency-key": random.token(24) };
    const body = { name: `Settled ${random.token(8)}` };
    const first = await apis[0]!.post("/projects", body, key);
    const replay = await apis[0]!.post("/projects", body, key);
    const unkeyed = await apis[0]!.post("/projects", { name: `After ${random.token(8)}` });
    expect([first.status, replay.status, unkeyed.status]).toEqual([201, 201, 201]);
    for (const [what, reply] of [
      ["the project of a keyed POST", first],
      ["the project of a POST after a replay", unkeyed],
    ] as const) {
      const read = await apis[1]!.get(`/projects/${reply.body.id}`);
      because(
        `expected ${what} to be readable at once from another instance (seed ${random.seed}); got ${describeReply(read)}`,
        () => expect(read.status).toBe(200),
      );
    }
  });
});
