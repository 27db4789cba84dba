import { Redis } from "ioredis";
import { Pool } from "pg";
import { startPostgres, startRedis, within } from "../src";

// Through the public API, with whatever provider this run uses (docker in CI, native here).
describe("fault injection on a dedicated service", () => {
  it("a paused Redis stops answering, and answers again once resumed", async () => {
    const redis = await startRedis();
    const client = new Redis(redis.url, { commandTimeout: 300, maxRetriesPerRequest: 0 });
    await client.set("k", "v");
    await redis.pause();
    await expect(client.get("k")).rejects.toThrow(/timed out/i);
    await redis.resume();
    expect(await within(5000, "Redis to answer after resume", client.get("k"))).toBe("v");
    client.disconnect();
  });

  it("a stopped Postgres refuses queries, and a restarted one serves the same URL", async () => {
    const postgres = await startPostgres();
    const pool = new Pool({ connectionString: postgres.url, connectionTimeoutMillis: 1000 });
    pool.on("error", () => {});
    await pool.query("CREATE TABLE survives (n int)");
    await postgres.stop();
    await expect(pool.query("SELECT 1")).rejects.toThrow();
    await postgres.start();
    const { rows } = await within(
      10_000,
      "Postgres to serve again",
      pool.query("SELECT count(*)::int AS n FROM survives"),
    );
    expect(rows[0].n).toBe(0);
    await pool.end();
  }, 60_000);
});
