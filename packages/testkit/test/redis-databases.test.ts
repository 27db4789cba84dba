import { Redis } from "ioredis";
import { because } from "../src";
import { NativeProvider } from "../src/providers/native";
import type { ServiceHandle } from "../src/providers/provider";
import {
  claimRedisDatabase as claimOn,
  type ClaimOptions,
  type RedisDatabaseClaim,
} from "../src/redis-databases";

// A server of this file's own: the claims below hold every database of it at once.
let redis: ServiceHandle;
beforeAll(async () => {
  redis = await new NativeProvider().startRedis();
}, 60_000);
afterAll(() => redis?.dispose());

// Every claim a test makes is released after it, passed or failed, so that a failure stays its own.
const made: Promise<RedisDatabaseClaim>[] = [];
const claimRedisDatabase = (url: string, options?: ClaimOptions) => {
  const claim = claimOn(url, { timeoutMs: 10_000, ...options });
  made.push(claim);
  return claim;
};
afterEach(async () => {
  const settled = await Promise.allSettled(made.splice(0));
  await Promise.all(settled.map((s) => (s.status === "fulfilled" ? s.value.release() : null)));
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Whether `promise` is still pending after `ms`. */
const stillPending = (promise: Promise<unknown>, ms: number) =>
  Promise.race([promise.then(() => false), sleep(ms).then(() => true)]);

describe("Redis databases for test files", () => {
  it("gives each of 63 files at once a database of its own, and a 64th waits until one is released, emptied", async () => {
    const claims = await Promise.all(
      Array.from({ length: 63 }, () => claimRedisDatabase(redis.url)),
    );
    const indexes = claims.map((c) => c.index).sort((a, b) => a - b);
    because("expected databases 1 to 63, each held once (0 holds the leases)", () =>
      expect(indexes).toEqual(Array.from({ length: 63 }, (_, i) => i + 1)),
    );
    const first = claims.shift()!;
    const client = new Redis(first.url);
    await client.set("left", "by the first file");
    client.disconnect();
    const late = claimRedisDatabase(redis.url, { retryMs: 20 });
    const waited = await stillPending(late, 300);
    because("expected the 64th claim to wait while every database is held", () =>
      expect(waited).toBe(true),
    );
    await first.release();
    const taken = await late;
    const reader = new Redis(taken.url);
    const keys = await reader.dbsize();
    reader.disconnect();
    because("expected the 64th file given the released database, emptied", () => {
      expect(taken.index).toBe(first.index);
      expect(keys).toBe(0);
    });
  });

  it("renews a lease while its holder runs, and claims again a database whose holder stopped renewing", async () => {
    // Renewed every 600 ms: a loaded machine's event loop may stall for a few hundred.
    const held = await claimRedisDatabase(redis.url, { leaseMs: 1800 });
    await sleep(4000); // over two leases long: renewed, or another claim could take it
    const others = await Promise.all(
      Array.from({ length: 62 }, () => claimRedisDatabase(redis.url)),
    );
    const extra = await claimRedisDatabase(redis.url, { timeoutMs: 100 }).catch(() => undefined);
    because(
      "expected the renewed lease to keep its database from 63 more claims: one finds none",
      () => {
        expect(others.map((c) => c.index)).not.toContain(held.index);
        expect(extra).toBeUndefined();
      },
    );
    // A holder that died: its lease, written as its claim did, expires with no one to renew it.
    const admin = new Redis(redis.url);
    await held.release();
    await admin.set(`backend-sandbox:database:${held.index}:lease`, "a dead process", "PX", 1000);
    const late = claimRedisDatabase(redis.url, { retryMs: 20 });
    const waited = await stillPending(late, 300);
    const taken = await late;
    admin.disconnect();
    because("expected the dead holder's database claimed again once its lease ran out", () => {
      expect(waited).toBe(true);
      expect(taken.index).toBe(held.index);
    });
  });

  it("says how many databases are held, and how to have more, when none frees up in time", async () => {
    await Promise.all(Array.from({ length: 63 }, () => claimRedisDatabase(redis.url)));
    await expect(claimRedisDatabase(redis.url, { timeoutMs: 200, retryMs: 50 })).rejects.toThrow(
      /every one of the 63 databases for test files of Redis at redis:\/\/127\.0\.0\.1:\d+ is claimed by another file, still after 200 ms: .*redis-server --databases/,
    );
  });

  it("ends only its own lease: one that ran out and another holder took stays that holder's", async () => {
    const claim = await claimRedisDatabase(redis.url);
    const admin = new Redis(redis.url);
    const key = `backend-sandbox:database:${claim.index}:lease`;
    await admin.set(key, "another holder's token", "PX", 60_000); // as after a lapse and a claim
    await claim.release();
    await claim.release(); // twice: the second is the first's promise
    const lease = await admin.get(key);
    await admin.del(key);
    admin.disconnect();
    because("expected the other holder's lease untouched by release()", () =>
      expect(lease).toBe("another holder's token"),
    );
  });
});
