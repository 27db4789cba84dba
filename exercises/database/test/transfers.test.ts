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

describe("transfers", () => {
  it("[R2.1] moves money and records the transfer with one entry per side", async () => {
    const [ann, bob] = await createAccounts(services.pg, [100, 0], random);
    const done = await transfer(await appPool(), { from: ann!, to: bob!, amount: 30 });
    expect(done).toMatchObject({
      fromAccountId: ann,
      toAccountId: bob,
      amount: 30,
      reference: null,
    });
    expect(await balances(services.pg, [ann!, bob!])).toEqual([70, 30]);
    const { rows } = await services.pg.query(
      "SELECT account_id, amount FROM entries WHERE transfer_id = $1 ORDER BY amount",
      [done.id],
    );
    expect(rows.map((row) => [Number(row.account_id), Number(row.amount)])).toEqual([
      [ann, -30],
      [bob, 30],
    ]);
  });

  it("[R2.4] refuses a transfer the balance cannot cover, and changes nothing", async () => {
    const [ann, bob] = await createAccounts(services.pg, [10, 0], random);
    await expect(
      transfer(await appPool(), { from: ann!, to: bob!, amount: 11 }),
    ).rejects.toMatchObject({ name: "InsufficientFundsError" });
    expect(await balances(services.pg, [ann!, bob!])).toEqual([10, 0]);
  });

  it("[R2.6] lets exactly 10 of 20 concurrent transfers of 10 out of a balance of 100 through, on two pools", async () => {
    const [ann, bob] = await createAccounts(services.pg, [100, 0], random);
    const pools = await racingPools(learner, services.databaseUrl, 5); // two app instances
    const settled = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        transfer(pools[i % 2]!, { from: ann!, to: bob!, amount: 10 }),
      ),
    );
    const outcomes = settled.map((r) =>
      r.status === "fulfilled"
        ? "ok"
        : r.reason?.name === "InsufficientFundsError"
          ? "insufficient"
          : String(r.reason),
    );
    expect(outcomes.filter((o) => o === "ok")).toHaveLength(10);
    expect(outcomes.filter((o) => o !== "ok")).toEqual(Array(10).fill("insufficient"));
    expect(await balances(services.pg, [ann!, bob!])).toEqual([0, 100]);
  });

  it("[R2.7] settles 20 concurrent transfers in both directions without a deadlock reaching the caller", async () => {
    const [ann, bob] = await createAccounts(services.pg, [1_000, 1_000], random);
    const pools = await racingPools(learner, services.databaseUrl, 5); // two app instances
    const calls = Array.from({ length: 20 }, (_, i) =>
      transfer(
        pools[i % 2]!,
        i % 2 === 0 ? { from: ann!, to: bob!, amount: 7 } : { from: bob!, to: ann!, amount: 5 },
      ),
    );
    const errors = (await Promise.allSettled(calls)).flatMap((r) =>
      r.status === "rejected" ? [`${r.reason?.code ?? ""} ${r.reason}`] : [],
    );
    expect(errors).toEqual([]);
    expect(await balances(services.pg, [ann!, bob!])).toEqual([980, 1_020]);
  });
});
