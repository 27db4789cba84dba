import { seededRandom, useServices } from "@backend-sandbox/testkit";
import { InsufficientFundsError } from "#src/errors";
import { migrate } from "#src/migrations";
import { transfer } from "#src/transfers";
import { balances, createAccounts } from "#support/seed";

const services = useServices();
const random = seededRandom();

beforeAll(() => migrate(services.pg));

describe("transfers", () => {
  it("moves money and records the transfer with one entry per side", async () => {
    const [ann, bob] = await createAccounts(services.pg, [100, 0], random);
    const done = await transfer(services.pg, { from: ann!, to: bob!, amount: 30 });
    expect(done).toMatchObject({ fromAccountId: ann, toAccountId: bob, amount: 30, reference: null });
    expect(await balances(services.pg, [ann!, bob!])).toEqual([70, 30]);
    const { rows } = await services.pg.query("SELECT account_id, amount FROM entries WHERE transfer_id = $1 ORDER BY amount", [done.id]);
    expect(rows.map((row) => [Number(row.account_id), Number(row.amount)])).toEqual([[ann, -30], [bob, 30]]);
  });

  it("refuses a transfer the balance cannot cover, and changes nothing", async () => {
    const [ann, bob] = await createAccounts(services.pg, [10, 0], random);
    await expect(transfer(services.pg, { from: ann!, to: bob!, amount: 11 })).rejects.toBeInstanceOf(InsufficientFundsError);
    expect(await balances(services.pg, [ann!, bob!])).toEqual([10, 0]);
  });
});
