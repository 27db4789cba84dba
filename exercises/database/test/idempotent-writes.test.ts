import { seededRandom, useServices } from "@backend-sandbox/testkit";
import { migrate } from "#src/migrations";
import { transfer } from "#src/transfers";
import { balances, createAccounts } from "#support/seed";

const services = useServices();
const random = seededRandom();

beforeAll(() => migrate(services.pg));

describe("idempotent-writes", () => {
  it("applies a transfer retried with the same reference once, and returns the original", async () => {
    const [ann, bob] = await createAccounts(services.pg, [100, 0], random);
    const request = { from: ann!, to: bob!, amount: 25, reference: `pay-${random.token()}` };
    const first = await transfer(services.pg, request);
    const retry = await transfer(services.pg, request);
    expect(retry.id).toBe(first.id);
    expect(await balances(services.pg, [ann!, bob!])).toEqual([75, 25]);
  });
});
