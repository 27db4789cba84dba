import { seededRandom, useServices } from "@backend-sandbox/testkit";
import { ValidationError } from "#src/errors";
import { migrate } from "#src/migrations";
import { searchAccounts } from "#src/search";
import { createAccounts } from "#support/seed";

const services = useServices();
const random = seededRandom();

beforeAll(() => migrate(services.pg));

describe("safety", () => {
  it("treats a search term as text, never as SQL", async () => {
    await createAccounts(services.pg, [10, 20], random);
    expect(await searchAccounts(services.pg, { q: "' OR 1=1 --" })).toEqual([]);
  });

  it("refuses a sort column outside the allowed list", async () => {
    await expect(searchAccounts(services.pg, { sort: "balance; DROP TABLE accounts" })).rejects.toBeInstanceOf(ValidationError);
  });
});
