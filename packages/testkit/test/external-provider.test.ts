import { Redis } from "ioredis";
import { Client } from "pg";
import { ExternalProvider } from "../src/providers/external";
import { NativeProvider } from "../src/providers/native";
import type { ServiceHandle } from "../src";

describe("external provider", () => {
  let owned: ServiceHandle[] = [];
  const saved = { REDIS_URL: process.env.REDIS_URL, DATABASE_URL: process.env.DATABASE_URL };

  beforeAll(async () => {
    // Servers the user "already runs": started natively by this test, then named by URL.
    const native = new NativeProvider();
    owned = await Promise.all([native.startRedis(), native.startPostgres()]);
    process.env.REDIS_URL = owned[0]!.url;
    process.env.DATABASE_URL = owned[1]!.url;
  }, 60_000);

  afterAll(async () => {
    Object.assign(process.env, saved);
    await Promise.all(owned.map((s) => s.dispose()));
  });

  it("serves the servers named by REDIS_URL and DATABASE_URL", async () => {
    const provider = new ExternalProvider();
    const [redis, postgres] = await Promise.all([provider.startRedis(), provider.startPostgres()]);
    const client = new Redis(redis.url);
    expect(await client.ping()).toBe("PONG");
    client.disconnect();
    const pg = new Client({ connectionString: postgres.url });
    await pg.connect();
    expect((await pg.query("SELECT 41 + 1 AS answer")).rows[0].answer).toBe(42);
    await pg.end();
  });

  it("refuses fault injection with a message that says what to use instead", async () => {
    const redis = await new ExternalProvider().startRedis();
    await expect(redis.pause()).rejects.toThrow(/SANDBOX_SERVICES=docker or native/);
    await expect(redis.stop()).rejects.toThrow(/SANDBOX_SERVICES=docker or native/);
  });

  it("says which variable is missing", async () => {
    delete process.env.DATABASE_URL;
    await expect(new ExternalProvider().startPostgres()).rejects.toThrow(/needs DATABASE_URL/);
    process.env.DATABASE_URL = owned[1]!.url;
  });
});
