import { seededRandom, useLearner } from "@backend-sandbox/testkit";
import type * as Transfers from "#src/transfers";
import { balances } from "#support/balances";
import { createAccounts } from "#support/create-accounts";
import { racingPools, useAppPool } from "#support/learner-pool";
import { useMigratedDatabase } from "#support/use-migrated-database";

const learner = useLearner();
const services = useMigratedDatabase(learner);
const appPool = useAppPool(learner, services);
const random = seededRandom();
const { transfer } = learner.module<typeof Transfers>("transfers");

describe("idempotent-writes", () => {
  it("[R3.1] applies a transfer retried with the same reference once, and returns the original", async () => {
    const [ann, bob] = await createAccounts(services.pg, [100, 0], random);
    const request = { from: ann!, to: bob!, amount: 25, reference: `pay-${random.token()}` };
    const first = await transfer(await appPool(), request);
    const retry = await transfer(await appPool(), request);
    expect(retry).toEqual(first);
    expect(await balances(services.pg, [ann!, bob!])).toEqual([75, 25]);
  });

  it("[R3.2] applies once when 10 identical calls race on two pools, and every caller gets the same transfer", async () => {
    const [ann, bob] = await createAccounts(services.pg, [100, 0], random);
    const pools = await racingPools(learner, services.databaseUrl, 5); // two app instances
    const request = { from: ann!, to: bob!, amount: 25, reference: `race-${random.token()}` };
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => transfer(pools[i % 2]!, request)),
    );
    expect(new Set(results.map((t) => t.id)).size).toBe(1);
    expect(await balances(services.pg, [ann!, bob!])).toEqual([75, 25]);
  });
});
