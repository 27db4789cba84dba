import { Redis } from "ioredis";
import { Pool } from "pg";
import { useServices } from "../src";

// The testkit claims a file's databases with the process's one ioredis and pg
// (process-packages.ts), but every client it hands a test is of the test's own realm: Jest
// compares an object's constructor in toStrictEqual, and instanceof sees a class per realm.
const services = useServices();

describe("useServices()'s clients", () => {
  it("are made once, when first used, from the test file's own ioredis and pg", () => {
    expect(services.redis).toBeInstanceOf(Redis);
    expect(services.redis).toBe(services.redis);
    expect(services.pg).toBeInstanceOf(Pool);
    expect(services.pg).toBe(services.pg);
  });

  it("answer with objects and errors a test compares strictly", async () => {
    await services.redis.hset("user:1", { name: "Ada" });
    expect(await services.redis.hgetall("user:1")).toStrictEqual({ name: "Ada" });
    expect((await services.pg.query("SELECT 1 AS one")).rows).toStrictEqual([{ one: 1 }]);
    await expect(services.pg.query("SELEC 1")).rejects.toBeInstanceOf(Error);
    await expect(services.redis.call("NO-SUCH-COMMAND")).rejects.toBeInstanceOf(Error);
  });
});
