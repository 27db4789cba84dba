import { useServices } from "../../src";

// The benchmark's test file: a few round trips to each service, as a small exercise test would do.
// Run without services (the floor), it does the same in-process work and no I/O.
const withServices = Boolean(process.env.SANDBOX_PROVIDER || process.env.SANDBOX_SERVICES);
const services = withServices ? useServices() : undefined;

describe("a small suite that uses both services", () => {
  it.each([1, 2, 3, 4, 5])("round trip %i", async (n) => {
    const key = `bench:${n}`;
    if (!services) return expect(JSON.parse(JSON.stringify({ key }))).toEqual({ key });
    await services.redis.set(key, String(n));
    expect(await services.redis.get(key)).toBe(String(n));
    const { rows } = await services.pg.query("SELECT $1::int * 2 AS doubled", [n]);
    expect(rows[0].doubled).toBe(n * 2);
  });
});
