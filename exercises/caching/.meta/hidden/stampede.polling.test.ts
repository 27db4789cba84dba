import { because, request, seededRandom, within } from "@backend-sandbox/testkit";
import type { Redis } from "ioredis";
import { useOwnRedis } from "#support/own-redis";
import { randomProduct } from "#support/random-product";
import { useCatalog } from "#support/use-catalog";

const catalog = useCatalog();
// This file's own Redis, so its command count is ours alone.
const own = useOwnRedis();

/** Commands the Redis has run so far (INFO stats). */
async function commands(admin: Redis): Promise<number> {
  const stats = await admin.info("stats");
  return Number(/^total_commands_processed:(\d+)/m.exec(stats)?.[1] ?? 0);
}

describe("stampede: polling", () => {
  it("[R3.4] polls the entry while another holder's lock is live, without a busy loop", async () => {
    const random = seededRandom();
    const product = randomProduct(random);
    await catalog.origin.seed([product]);
    const [app] = await catalog.instances(1, { redisUrl: own.redis.url, lockTtlMs: 5000 });
    const holdMs = 1000;
    await own.admin.set(`lock:product:${product.id}`, `holder-${random.token(8)}`, "PX", holdMs);
    const before = await commands(own.admin);
    const answer = await within(
      holdMs + 5000,
      "the read to be answered once the other holder's lock expired",
      request(`${app!.url}/products/${product.id}`),
    );
    const sent = (await commands(own.admin)) - before - 1; // less our own INFO
    because(
      `expected the product once the other holder's ${holdMs} ms lock expired, got ${answer.status} (seed ${random.seed})`,
      () => expect(answer.body).toEqual(product),
    );
    because(
      `expected at most 400 Redis commands while waiting ${holdMs} ms for another holder's lock (a poll every few tens of ms), saw ${sent}: a busy loop? (seed ${random.seed})`,
      () => expect(sent).toBeLessThanOrEqual(400),
    );
  });
});
