import { because, seededRandom, useLearner, within } from "@backend-sandbox/testkit";
import type * as Transfers from "#src/transfers";
import { balances } from "#support/balances";
import { createAccounts } from "#support/create-accounts";
import { racingPools } from "#support/learner-pool";
import { useMigratedDatabase } from "#support/use-migrated-database";

const learner = useLearner();
const services = useMigratedDatabase(learner);
const random = seededRandom();
const { transfer } = learner.module<typeof Transfers>("transfers");
/** Two app instances: a pool of `max: 8` each, in the learner's process, connections open. */
const twoPools = () => racingPools(learner, services.databaseUrl, 8);

/** Classifies each settled transfer: "ok", "insufficient", or the unexpected error's code/message. */
const outcome = (r: PromiseSettledResult<unknown>) =>
  r.status === "fulfilled"
    ? "ok"
    : r.reason?.name === "InsufficientFundsError"
      ? "insufficient"
      : `${r.reason?.code ?? ""} ${r.reason?.message ?? r.reason}`.trim();

describe("transfers under concurrency", () => {
  it("[R2.6, R2.7] keeps 200 concurrent transfers among 10 accounts correct: total conserved, no negative balance, no deadlock error", async () => {
    const initial = Array.from({ length: 10 }, () => random.int(50, 300));
    const ids = await createAccounts(services.pg, initial, random);
    const pools = await twoPools();
    const requests = Array.from({ length: 200 }, (_, i) => {
      const from = random.int(0, 9);
      const to = (from + random.int(1, 9)) % 10;
      return { pool: pools[i % 2]!, from: ids[from]!, to: ids[to]!, amount: random.int(1, 120) };
    });
    const settled = await within(
      25_000,
      "200 concurrent transfers to settle",
      Promise.allSettled(
        requests.map((r) => transfer(r.pool, { from: r.from, to: r.to, amount: r.amount })),
      ),
    );
    const outcomes = settled.map(outcome);
    const unexpected = outcomes.filter((o) => o !== "ok" && o !== "insufficient");
    because(
      `expected each transfer to succeed or fail with InsufficientFundsError; also saw: ${[...new Set(unexpected)].join(" | ")} (seed ${random.seed})`,
      () => expect(unexpected).toEqual([]),
    );

    const total = initial.reduce((a, b) => a + b, 0);
    const after = await balances(services.pg, ids);
    because(`expected the total of all balances to stay ${total} (seed ${random.seed})`, () =>
      expect(after.reduce((a, b) => a + b, 0)).toBe(total),
    );
    because(`expected no negative balance, saw ${after.join(", ")}`, () =>
      expect(Math.min(...after)).toBeGreaterThanOrEqual(0),
    );

    // The records agree with the money: one transfer per success, each balance = initial + its entries.
    const { rows } = await services.pg.query(
      `SELECT a.id, coalesce((SELECT sum(amount) FROM entries e WHERE e.account_id = a.id), 0) AS moved,
              (SELECT count(*) FROM transfers t WHERE t.from_account_id = a.id) AS sent
         FROM accounts a WHERE a.id = ANY($1::bigint[]) ORDER BY a.id`,
      [ids],
    );
    const moved = new Map(rows.map((row) => [Number(row.id), Number(row.moved)]));
    const sent = rows.reduce((sum, row) => sum + Number(row.sent), 0);
    because("expected one transfers row per successful transfer", () =>
      expect(sent).toBe(outcomes.filter((o) => o === "ok").length),
    );
    because("expected each balance to equal its initial balance plus the sum of its entries", () =>
      expect(after).toEqual(ids.map((id, i) => initial[i]! + moved.get(id)!)),
    );
  }, 40_000);

  it("[R2.7] settles 60 concurrent transfers in both directions between two accounts without any error", async () => {
    const [a, b] = await createAccounts(services.pg, [10_000, 10_000], random);
    const pools = await twoPools();
    const amounts = Array.from({ length: 60 }, () => random.int(1, 50));
    const settled = await within(
      25_000,
      "60 opposite transfers to settle",
      Promise.allSettled(
        amounts.map((amount, i) =>
          transfer(
            pools[i % 2]!,
            i % 2 === 0 ? { from: a!, to: b!, amount } : { from: b!, to: a!, amount },
          ),
        ),
      ),
    );
    const failures = settled.map(outcome).filter((o) => o !== "ok");
    because(
      `expected all 60 opposite transfers to succeed; failures: ${[...new Set(failures)].join(" | ")}`,
      () => expect(failures).toEqual([]),
    );
    expect((await balances(services.pg, [a!, b!])).reduce((x, y) => x + y, 0)).toBe(20_000);
  }, 40_000);
});
