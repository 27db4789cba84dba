// Stage tiers: per-key plans from Postgres, cached; unknown keys get 401.
import { pgPool, redisClient, useLearner, useServices } from "@backend-sandbox/testkit";
import { get } from "#support/client-requests";
import { addKey, addPlan, createPlansTables } from "#support/plans-tables";
import { rateLimitFields } from "#support/rate-limit-fields";
import { startAppOnClock } from "#support/start-app";

const services = useServices();
const learner = useLearner();

describe("tiers", () => {
  it("[R7.1, R7.2] limits each key by its plan, and refuses an unknown key with 401", async () => {
    await createPlansTables(services.pg);
    await addPlan(services.pg, "free", "fixed-window", 2, 60);
    await addPlan(services.pg, "pro", "fixed-window", 5, 60);
    await addKey(services.pg, "key-free", "free");
    await addKey(services.pg, "key-pro", "pro");
    const { url } = await startAppOnClock(learner, Date.UTC(2026, 0, 1, 12, 0, 0), {
      redis: redisClient(services.redisUrl),
      pg: pgPool(services.databaseUrl),
      policy: { name: "anonymous", algorithm: "fixed-window", limit: 1, windowSeconds: 60 },
    });

    const free = [];
    for (let i = 0; i < 3; i++) free.push((await get(url, "key-free")).status);
    const pro = await get(url, "key-pro");

    expect(free).toEqual([200, 200, 429]);
    expect(rateLimitFields(pro)?.policy).toEqual({ name: "pro", q: 5, w: 60 });
    expect((await get(url, "key-nobody-has")).status).toBe(401);
  });
});
