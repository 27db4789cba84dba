import { because, seededRandom, useLearner, useServices } from "@backend-sandbox/testkit";
import { useRacingApis } from "#support/racing-apis";

const services = useServices();
const learner = useLearner();
const random = seededRandom();
const racing = useRacingApis(learner, services);
const apis = racing.apis;

describe("conditional-requests", () => {
  it("[R4.8] lets exactly one of many concurrent PUTs with the same ETag win, across two instances", async () => {
    for (let round = 0; round < 3; round++) {
      const created = await apis[0]!.post("/projects", { name: "contested" });
      const path = `/projects/${created.body.id}`;
      const etag = created.headers.get("etag")!;
      const writers = random.int(8, 12);
      const replies = await racing.race(() =>
        Promise.all(
          Array.from({ length: writers }, (_, i) =>
            apis[i % 2]!.put(
              path,
              { name: `writer ${i}`, priority: (i % 5) + 1 },
              { "if-match": etag },
            ),
          ),
        ),
      );
      const winners = replies.filter((r) => r.status === 200);
      const statuses = replies
        .map((r) => r.status)
        .sort()
        .join(", ");
      because(
        `expected exactly 1 of ${writers} concurrent PUTs with If-Match ${etag} to get 200 and the rest 412 (seed ${random.seed}); got ${statuses}`,
        () => {
          expect(winners).toHaveLength(1);
          expect(replies.filter((r) => r.status === 412)).toHaveLength(writers - 1);
        },
      );
      const final = await apis[0]!.get(path);
      because(
        `expected the project to hold the winner's write; got ${final.body.name}, winner ${winners[0]?.body?.name}`,
        () => expect(final.body).toEqual(winners[0]!.body),
      );
    }
  });
});
