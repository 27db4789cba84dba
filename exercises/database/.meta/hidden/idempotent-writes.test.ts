import { because, seededRandom, useLearner, within } from "@backend-sandbox/testkit";
import type * as Transfers from "#src/transfers";
import type { Transfer } from "#src/transfers";
import { balances } from "#support/balances";
import { createAccounts } from "#support/create-accounts";
import { racingPools, useAppPool } from "#support/learner-pool";
import { useMigratedDatabase } from "#support/use-migrated-database";

const learner = useLearner();
const services = useMigratedDatabase(learner);
const appPool = useAppPool(learner, services);
const random = seededRandom();
const { transfer } = learner.module<typeof Transfers>("transfers");
/** Two app instances: a pool of `max: 6` each, in the learner's process, connections open. */
const twoPools = () => racingPools(learner, services.databaseUrl, 6);
/** The `name` of a thrown error (the errors.ts classes set it). */
const nameOf = (error: unknown) => (error as { name?: string } | undefined)?.name;

const rowsWithReference = async (reference: string) =>
  Number(
    (
      await services.pg.query("SELECT count(*) AS n FROM transfers WHERE reference = $1", [
        reference,
      ])
    ).rows[0].n,
  );
const describeError = (error: unknown) =>
  `${(error as { code?: string })?.code ?? ""} ${String(error)}`;

describe("idempotent-writes", () => {
  it("[R3.1] returns the original transfer on a retry and applies it once", async () => {
    const [a, b] = await createAccounts(services.pg, [500, 0], random);
    const request = {
      from: a!,
      to: b!,
      amount: random.int(1, 100),
      reference: `ref-${random.token()}`,
    };
    const first = await transfer(await appPool(), request);
    for (let retry = 0; retry < 3; retry++) {
      const again = await transfer(await appPool(), request);
      because(
        `expected retry ${retry + 1} to return transfer ${first.id} as first created (seed ${random.seed})`,
        () => expect(again).toEqual(first),
      );
    }
    expect(first.reference).toBe(request.reference);
    expect(await balances(services.pg, [a!, b!])).toEqual([500 - request.amount, request.amount]);
    expect(await rowsWithReference(request.reference)).toBe(1);
  });

  it("[R3.2] applies once when 20 retries of one transfer race on two pools, and every caller gets the same transfer", async () => {
    const [a, b] = await createAccounts(services.pg, [1_000, 0], random);
    const pools = await twoPools();
    const request = {
      from: a!,
      to: b!,
      amount: random.int(1, 100),
      reference: `race-${random.token()}`,
    };
    const settled = await within(
      15_000,
      "20 racing retries to settle",
      Promise.allSettled(Array.from({ length: 20 }, (_, i) => transfer(pools[i % 2]!, request))),
    );
    const errors = settled.flatMap((r) =>
      r.status === "rejected" ? [describeError(r.reason)] : [],
    );
    because(`expected all 20 retries to succeed; errors: ${[...new Set(errors)].join(" | ")}`, () =>
      expect(errors).toEqual([]),
    );
    const ids = new Set(settled.map((r) => (r as PromiseFulfilledResult<Transfer>).value.id));
    because(`expected one transfer id across the 20 answers, got ${[...ids].join(", ")}`, () =>
      expect(ids.size).toBe(1),
    );
    const after = await balances(services.pg, [a!, b!]);
    because(
      `expected ${request.amount} to move exactly once (seed ${random.seed}), balances are ${after.join(", ")}`,
      () => expect(after).toEqual([1_000 - request.amount, request.amount]),
    );
    expect(await rowsWithReference(request.reference)).toBe(1);
  });

  it("[R3.2] applies each of 10 references once when each is sent 5 times at once", async () => {
    const [a, b] = await createAccounts(services.pg, [10_000, 0], random);
    const requests = Array.from({ length: 10 }, () => ({
      from: a!,
      to: b!,
      amount: random.int(1, 50),
      reference: `batch-${random.token()}`,
    }));
    const pools = await twoPools();
    const calls = requests.flatMap((request) =>
      [0, 1, 2, 3, 4].map((i) => transfer(pools[i % 2]!, request)),
    );
    const settled = await within(15_000, "50 racing calls to settle", Promise.allSettled(calls));
    const errors = settled.flatMap((r) =>
      r.status === "rejected" ? [describeError(r.reason)] : [],
    );
    because(`expected all 50 calls to succeed; errors: ${[...new Set(errors)].join(" | ")}`, () =>
      expect(errors).toEqual([]),
    );
    const moved = requests.reduce((sum, r) => sum + r.amount, 0);
    const after = await balances(services.pg, [a!, b!]);
    because(
      `expected exactly ${moved} moved by the 10 distinct transfers, balances are ${after.join(", ")} (seed ${random.seed})`,
      () => expect(after).toEqual([10_000 - moved, moved]),
    );
  });

  it("[R3.3] refuses a reference reused with a different amount, receiver or sender with ConflictError, changing nothing", async () => {
    const [a, b, c] = await createAccounts(services.pg, [500, 100, 100], random);
    const reference = `reuse-${random.token()}`;
    await transfer(await appPool(), { from: a!, to: b!, amount: 40, reference });
    const reuses = {
      amount: { from: a!, to: b!, amount: 41 },
      to: { from: a!, to: c!, amount: 40 },
      from: { from: c!, to: b!, amount: 40 },
    };
    for (const [changed, request] of Object.entries(reuses)) {
      const error = await transfer(await appPool(), { ...request, reference }).catch(
        (e: unknown) => e,
      );
      because(
        `expected the same reference with another ${changed} to fail with ConflictError, got ${String(error)}`,
        () => expect(nameOf(error)).toBe("ConflictError"),
      );
    }
    expect(await balances(services.pg, [a!, b!, c!])).toEqual([460, 140, 100]);
    expect(await rowsWithReference(reference)).toBe(1);
  });

  it("[R3.2, R3.3] applies one of two different requests racing on one reference, and refuses the other with ConflictError", async () => {
    const [a, b] = await createAccounts(services.pg, [1_000, 0], random);
    const pools = await twoPools();
    const reference = `clash-${random.token()}`;
    const amounts = [random.int(1, 50), random.int(51, 100)];
    const settled = await within(
      15_000,
      "12 racing calls to settle",
      Promise.allSettled(
        Array.from({ length: 12 }, (_, i) =>
          transfer(pools[i % 2]!, { from: a!, to: b!, amount: amounts[(i >> 1) % 2]!, reference }),
        ),
      ),
    );
    const after = await balances(services.pg, [a!, b!]);
    const winner = after[1]!;
    const outcomes = settled.map((r, i) => {
      const amount = amounts[(i >> 1) % 2]!;
      if (r.status === "fulfilled")
        return r.value.amount === winner && amount === winner
          ? "same transfer"
          : `wrong transfer ${JSON.stringify(r.value)}`;
      return nameOf(r.reason) === "ConflictError" && amount !== winner
        ? "conflict"
        : `unexpected ${describeError(r.reason)} for amount ${amount}`;
    });
    because(
      `expected one of ${amounts.join(" and ")} moved once, balances are ${after.join(", ")} (seed ${random.seed})`,
      () => expect(amounts.includes(winner) && after[0] === 1_000 - winner).toBe(true),
    );
    because(
      `expected the winner's 6 calls to get its transfer and the other 6 ConflictError; saw ${[...new Set(outcomes)].join(" | ")}`,
      () =>
        expect(outcomes.sort()).toEqual([
          ...Array(6).fill("conflict"),
          ...Array(6).fill("same transfer"),
        ]),
    );
    expect(await rowsWithReference(reference)).toBe(1);
  });

  it("[R3.5] refuses a malformed reference with ValidationError and writes nothing", async () => {
    const [a, b] = await createAccounts(services.pg, [500, 0], random);
    const token = random.token(8);
    const malformed: Record<string, unknown> = {
      empty: "",
      "201 characters": "r".repeat(201),
      "a megabyte": "r".repeat(1_000_000),
      "a space": `pay ${token}`,
      "a tab": `pay\t${token}`,
      "a newline": `pay\n${token}`,
      "a NUL": `pay\u0000${token}`,
      DEL: `pay\u007f${token}`,
      "a non-ASCII letter": `café-${token}`,
      "an emoji": `pay-😀-${token}`,
      "a number": 42,
      "an object": { id: token },
    };
    for (const [shape, reference] of Object.entries(malformed)) {
      const error = await transfer(await appPool(), {
        from: a!,
        to: b!,
        amount: 5,
        reference: reference as string,
      }).catch((e: unknown) => e);
      because(
        `expected a reference with ${shape} to be refused with ValidationError, got ${describeError(error)}`,
        () => expect(nameOf(error)).toBe("ValidationError"),
      );
    }
    const { rows } = await services.pg.query(
      "SELECT count(*) AS n FROM transfers WHERE from_account_id = $1",
      [a],
    );
    because(`expected no transfer written for a malformed reference, found ${rows[0].n}`, () =>
      expect(Number(rows[0].n)).toBe(0),
    );
    expect(await balances(services.pg, [a!, b!])).toEqual([500, 0]);
  });

  it("[R3.5] accepts a reference of 200 characters and one made of any visible ASCII characters", async () => {
    const [a, b] = await createAccounts(services.pg, [500, 0], random);
    const visible = Array.from({ length: 0x7e - 0x21 + 1 }, (_, i) =>
      String.fromCharCode(0x21 + i),
    ).join("");
    for (const reference of ["r".repeat(190) + random.token(10), `${visible}${random.token(6)}`]) {
      const done = await transfer(await appPool(), {
        from: a!,
        to: b!,
        amount: 5,
        reference,
      }).catch((e: unknown) => e);
      because(
        `expected reference ${JSON.stringify(reference.slice(0, 40))}... (${reference.length} characters) to be accepted, got ${describeError(done)}`,
        () => expect(done).toMatchObject({ reference, amount: 5 }),
      );
    }
    expect(await balances(services.pg, [a!, b!])).toEqual([490, 10]);
  });

  it("[R3.4] does not use up a reference when the transfer fails: a later retry applies", async () => {
    const [a, b] = await createAccounts(services.pg, [10, 0], random);
    const request = { from: a!, to: b!, amount: 30, reference: `later-${random.token()}` };
    await expect(transfer(await appPool(), request)).rejects.toMatchObject({
      name: "InsufficientFundsError",
    });
    await services.pg.query("UPDATE accounts SET balance = 100 WHERE id = $1", [a]);
    const applied = await transfer(await appPool(), request).catch((e: unknown) => e);
    because(`expected the retry after funding to apply, got ${String(applied)}`, () =>
      expect(applied).toMatchObject({ amount: 30, reference: request.reference }),
    );
    expect(await balances(services.pg, [a!, b!])).toEqual([70, 30]);
  });
});
