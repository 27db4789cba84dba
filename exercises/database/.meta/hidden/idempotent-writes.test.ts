import { because, seededRandom, useServices, within } from "@backend-sandbox/testkit";
import { ConflictError, InsufficientFundsError } from "#src/errors";
import { migrate } from "#src/migrations";
import { transfer, type Transfer } from "#src/transfers";
import { balances, createAccounts } from "#support/seed";

const services = useServices();
const random = seededRandom();

beforeAll(() => migrate(services.pg));

const rowsWithReference = async (reference: string) =>
  Number((await services.pg.query("SELECT count(*) AS n FROM transfers WHERE reference = $1", [reference])).rows[0].n);
const describeError = (error: unknown) => `${(error as { code?: string })?.code ?? ""} ${String(error)}`;

describe("idempotent-writes", () => {
  it("returns the original transfer on a retry and applies it once", async () => {
    const [a, b] = await createAccounts(services.pg, [500, 0], random);
    const request = { from: a!, to: b!, amount: random.int(1, 100), reference: `ref-${random.token()}` };
    const first = await transfer(services.pg, request);
    for (let retry = 0; retry < 3; retry++) {
      const again = await transfer(services.pg, request);
      because(`expected retry ${retry + 1} to return transfer ${first.id} as first created (seed ${random.seed})`, () => expect(again).toEqual(first));
    }
    expect(first.reference).toBe(request.reference);
    expect(await balances(services.pg, [a!, b!])).toEqual([500 - request.amount, request.amount]);
    expect(await rowsWithReference(request.reference)).toBe(1);
  });

  it("applies once when 20 retries of one transfer race on two pools, and every caller gets the same transfer", async () => {
    const [a, b] = await createAccounts(services.pg, [1_000, 0], random);
    const pools = [services.newPool({ max: 6 }), services.newPool({ max: 6 })];
    const request = { from: a!, to: b!, amount: random.int(1, 100), reference: `race-${random.token()}` };
    const settled = await within(15_000, "20 racing retries to settle",
      Promise.allSettled(Array.from({ length: 20 }, (_, i) => transfer(pools[i % 2]!, request))));
    const errors = settled.flatMap((r) => (r.status === "rejected" ? [describeError(r.reason)] : []));
    because(`expected all 20 retries to succeed; errors: ${[...new Set(errors)].join(" | ")}`, () => expect(errors).toEqual([]));
    const ids = new Set(settled.map((r) => (r as PromiseFulfilledResult<Transfer>).value.id));
    because(`expected one transfer id across the 20 answers, got ${[...ids].join(", ")}`, () => expect(ids.size).toBe(1));
    const after = await balances(services.pg, [a!, b!]);
    because(`expected ${request.amount} to move exactly once (seed ${random.seed}), balances are ${after.join(", ")}`, () =>
      expect(after).toEqual([1_000 - request.amount, request.amount]));
    expect(await rowsWithReference(request.reference)).toBe(1);
  });

  it("applies each of 10 references once when each is sent 5 times at once", async () => {
    const [a, b] = await createAccounts(services.pg, [10_000, 0], random);
    const requests = Array.from({ length: 10 }, () => ({ from: a!, to: b!, amount: random.int(1, 50), reference: `batch-${random.token()}` }));
    const pools = [services.newPool({ max: 6 }), services.newPool({ max: 6 })];
    const calls = requests.flatMap((request) => [0, 1, 2, 3, 4].map((i) => transfer(pools[i % 2]!, request)));
    const settled = await within(15_000, "50 racing calls to settle", Promise.allSettled(calls));
    const errors = settled.flatMap((r) => (r.status === "rejected" ? [describeError(r.reason)] : []));
    because(`expected all 50 calls to succeed; errors: ${[...new Set(errors)].join(" | ")}`, () => expect(errors).toEqual([]));
    const moved = requests.reduce((sum, r) => sum + r.amount, 0);
    const after = await balances(services.pg, [a!, b!]);
    because(`expected exactly ${moved} moved by the 10 distinct transfers, balances are ${after.join(", ")} (seed ${random.seed})`, () =>
      expect(after).toEqual([10_000 - moved, moved]));
  });

  it("refuses a reference reused for a different transfer with ConflictError, changing nothing", async () => {
    const [a, b] = await createAccounts(services.pg, [500, 0], random);
    const reference = `reuse-${random.token()}`;
    await transfer(services.pg, { from: a!, to: b!, amount: 40, reference });
    const error = await transfer(services.pg, { from: a!, to: b!, amount: 41, reference }).catch((e: unknown) => e);
    because(`expected the same reference with amount 41 instead of 40 to fail with ConflictError, got ${String(error)}`, () =>
      expect(error).toBeInstanceOf(ConflictError));
    expect(await balances(services.pg, [a!, b!])).toEqual([460, 40]);
  });

  it("does not use up a reference when the transfer fails: a later retry applies", async () => {
    const [a, b] = await createAccounts(services.pg, [10, 0], random);
    const request = { from: a!, to: b!, amount: 30, reference: `later-${random.token()}` };
    await expect(transfer(services.pg, request)).rejects.toBeInstanceOf(InsufficientFundsError);
    await services.pg.query("UPDATE accounts SET balance = 100 WHERE id = $1", [a]);
    const applied = await transfer(services.pg, request).catch((e: unknown) => e);
    because(`expected the retry after funding to apply, got ${String(applied)}`, () => expect(applied).toMatchObject({ amount: 30, reference: request.reference }));
    expect(await balances(services.pg, [a!, b!])).toEqual([70, 30]);
  });
});
