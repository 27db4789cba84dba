import { existsSync } from "node:fs";
import { Redis } from "ioredis";
import { Client } from "pg";
import { TEST_REDIS_DATABASES } from "../src/providers/provider";
import type { Provider, ServiceHandle } from "../src/runner";

/** What every provider that owns its servers must do: serve real commands, and fail and recover on cue. */
export function describeProviderContract(makeProvider: () => Provider): void {
  let redis: ServiceHandle;
  let postgres: ServiceHandle;

  beforeAll(async () => {
    const provider = makeProvider();
    [redis, postgres] = await Promise.all([provider.startRedis(), provider.startPostgres()]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([redis?.dispose(), postgres?.dispose()]);
  });

  it("serves real Redis commands", async () => {
    const client = new Redis(redis.url);
    try {
      await client.set("greeting", "hello");
      expect(await client.get("greeting")).toBe("hello");
      expect(await client.info("server")).toMatch(/redis_version:7\./);
    } finally {
      client.disconnect();
    }
  });

  it("starts Redis with a logical database for each of many test files at once (--databases 64)", async () => {
    const client = new Redis(redis.url);
    try {
      // What the server says, not what the provider meant to ask for.
      const [name, databases] = (await client.config("GET", "databases")) as string[];
      expect([name, databases]).toEqual(["databases", String(TEST_REDIS_DATABASES)]);
      expect(Number(databases)).toBeGreaterThanOrEqual(64);
    } finally {
      client.disconnect();
    }
  });

  it("serves real Postgres queries, as UTF8, with CREATE DATABASE allowed", async () => {
    const client = new Client({ connectionString: postgres.url });
    await client.connect();
    try {
      const { rows } = await client.query(
        "SELECT version() AS version, current_setting('server_encoding') AS encoding",
      );
      expect(rows[0].version).toMatch(/PostgreSQL 1[5-9]/);
      expect(rows[0].encoding).toBe("UTF8");
      await client.query("CREATE DATABASE contract_check");
      await client.query("DROP DATABASE contract_check");
    } finally {
      await client.end();
    }
  });

  it("pause makes Redis stop answering and resume brings it back", async () => {
    const client = new Redis(redis.url, { commandTimeout: 300, maxRetriesPerRequest: 0 });
    try {
      await client.ping();
      await redis.pause();
      await expect(client.ping()).rejects.toThrow(/timed out/i);
      await redis.resume();
      expect(await client.ping()).toBe("PONG");
    } finally {
      client.disconnect();
    }
  });

  it("stop refuses connections and start serves again on the same URL", async () => {
    await redis.stop();
    const refused = new Redis(redis.url, {
      lazyConnect: true,
      retryStrategy: () => null,
      maxRetriesPerRequest: 0,
    });
    await expect(refused.connect()).rejects.toThrow();
    refused.disconnect();
    await redis.start();
    const client = new Redis(redis.url);
    expect(await client.ping()).toBe("PONG");
    client.disconnect();
  }, 60_000);

  it("pause and stop reach Postgres too, and it recovers with its data", async () => {
    const client = new Client({ connectionString: postgres.url, query_timeout: 500 });
    client.on("error", () => {});
    await client.connect();
    // A test that stops Postgres expects its tables back (api-design's R2.6 does).
    await client.query("CREATE TABLE IF NOT EXISTS survives (note text)");
    await client.query("INSERT INTO survives VALUES ('written before the stop')");
    await postgres.pause();
    await expect(client.query("SELECT 1")).rejects.toThrow(/timeout/i);
    await postgres.resume();
    await client.end().catch(() => {});
    await postgres.stop();
    const refused = new Client({ connectionString: postgres.url, connectionTimeoutMillis: 2000 });
    refused.on("error", () => {});
    await expect(refused.connect()).rejects.toThrow();
    await postgres.start();
    const again = new Client({ connectionString: postgres.url });
    await again.connect();
    expect((await again.query("SELECT note FROM survives")).rows).toEqual([
      { note: "written before the stop" },
    ]);
    await again.query("DROP TABLE survives");
    await again.end();
  }, 90_000);
}

/** True while a process id is alive. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export { existsSync };
