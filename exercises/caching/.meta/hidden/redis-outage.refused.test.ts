import { because, eventually, request, within } from "@backend-sandbox/testkit";
import { cachedOnEvery } from "#support/cached-on-every";
import { FAIL_FAST } from "#support/fail-fast";
import { useOwnRedis } from "#support/own-redis";
import { randomProduct } from "#support/random-product";
import { useCatalog } from "#support/use-catalog";

const catalog = useCatalog();
// This file's own Redis: its ACL changes disturb nobody else.
const own = useOwnRedis();

const BOUND_MS = 2500; // R6.1's bound

/** Calls of one Redis command so far, from INFO commandstats. */
async function calls(command: string): Promise<number> {
  const stats = await own.admin.info("commandstats");
  return Number(new RegExp(`^cmdstat_${command}:calls=(\\d+)`, "m").exec(stats)?.[1] ?? 0);
}

describe("redis-outage: a Redis that refuses reads", () => {
  it("[R6.5, R3.4] stops waiting for another holder's lock once its read of the entry is rejected, and answers from the origin", async () => {
    const { random, product } = await catalog.seededProduct();
    const warm = randomProduct(random);
    await catalog.origin.seed([warm]);
    const [app] = await catalog.instances(1, { redisUrl: own.redis.url, redisOptions: FAIL_FAST });
    await cachedOnEvery(catalog.origin, [app!], warm); // the app's client is connected
    // Another holder (alive, as far as anyone can tell) loads the product for the next 10 s.
    await own.admin.set(`lock:product:${product.id}`, `holder-${random.token(8)}`, "PX", 10_000);
    const setsBefore = await calls("set");
    const reading = request(`${app!.url}/products/${product.id}`);
    await eventually(
      `the read of ${product.id} to try the fill lock (a SET) and find it held`,
      async () => (await calls("set")) > setsBefore,
      { timeoutMs: 5000, intervalMs: 20 },
    );
    // From now on every read command is refused (NOPERM); SET NX still runs and finds the lock held.
    await own.admin.call("ACL", "SETUSER", "default", "-@read");
    const refusedAt = performance.now();
    try {
      const answer = await within(
        BOUND_MS + 2000,
        "the waiting read to be answered once Redis refuses reads",
        reading,
      );
      const ms = Math.round(performance.now() - refusedAt);
      because(
        `expected 200 with the product within ${BOUND_MS} ms of Redis refusing reads (a rejected read of the entry ends the wait), got ${answer.status} after ${ms} ms (seed ${random.seed})`,
        () => {
          expect(answer.body).toEqual(product);
          expect(ms).toBeLessThan(BOUND_MS);
        },
      );
    } finally {
      await own.admin.call("ACL", "SETUSER", "default", "+@all");
    }
  }, 30_000);
});
