import { Redis } from "ioredis";
import { Pool } from "pg";
import { startFaultProxy, useServices, within } from "../src";

const services = useServices();

describe("the fault proxy between the code under test and a service", () => {
  it("counts Redis commands, pipelined or not, and passes their answers", async () => {
    const proxy = await startFaultProxy(services.redisUrl);
    const client = new Redis(proxy.url, { lazyConnect: true });
    await client.connect();
    const before = proxy.commands();
    await client.set("k", "a value with *3\r\n$3 inside");
    await client.pipeline().get("k").incr("n").incr("n").exec();
    expect(await client.get("k")).toBe("a value with *3\r\n$3 inside");
    expect(proxy.commands() - before).toBe(5);
    client.disconnect();
  });

  it("counts Postgres queries, simple and parameterized", async () => {
    const proxy = await startFaultProxy(services.databaseUrl);
    const pool = new Pool({ connectionString: proxy.url, max: 1 });
    await pool.query("SELECT 1");
    await pool.query("SELECT $1::int AS n", [2]);
    const { rows } = await pool.query("SELECT $1::text AS t", ["x"]);
    expect(rows[0].t).toBe("x");
    expect(proxy.queries()).toBe(3);
    await pool.end();
  });

  it("pauses both ways until resumed, then delivers what was held", async () => {
    const proxy = await startFaultProxy(services.redisUrl);
    const client = new Redis(proxy.url, { commandTimeout: 300, maxRetriesPerRequest: 0 });
    await client.set("k", "v");
    proxy.pause();
    await expect(client.get("k")).rejects.toThrow(/timed out/i);
    proxy.resume();
    expect(await within(2000, "an answer after resume", client.get("k"))).toBe("v");
    client.disconnect();
  });

  it("drops open connections, refuses new ones until told to accept, and delays", async () => {
    const proxy = await startFaultProxy(services.databaseUrl);
    const pool = new Pool({ connectionString: proxy.url, max: 1, connectionTimeoutMillis: 1000 });
    pool.on("error", () => {});
    const client = await pool.connect();
    client.on("error", () => {}); // a checked-out client reports the reset as an event too
    proxy.dropConnections();
    await expect(client.query("SELECT 1")).rejects.toThrow();
    client.release(true);
    proxy.refuseConnections();
    await expect(pool.query("SELECT 1")).rejects.toThrow();
    proxy.acceptConnections();
    await pool.query("SELECT 1"); // connected first: a password handshake takes several round trips
    proxy.delay(300);
    const started = Date.now();
    await pool.query("SELECT 1");
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    await pool.end();
  });
});
