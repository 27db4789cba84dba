// WRONG: lists are invalidated by a SCAN sweep over every list key, O(keys) on every write.
// The cached list endpoint. Entries are keyed by a collection version; a write bumps the version
// (one INCR), so every old entry stops being read at once and just expires. No KEYS or SCAN sweep.
import type { Redis } from "ioredis";
import type { CacheOptions } from "./app";
import { fromOrigin } from "./origin-unavailable";
import type { Product, ProductRepository } from "./product";
import { jittered, orDown, REDIS_DOWN } from "./redis-fallback";

/** The one key without a TTL: if it expired, the version would restart and old lists could come back. */
const VERSION_KEY = "products:version";

export class ListCache {
  constructor(
    private readonly redis: Redis,
    private readonly repository: ProductRepository,
    private readonly config: CacheOptions,
    private readonly random: () => number,
  ) {}

  async read(category: string | undefined): Promise<Product[]> {
    const load = () => fromOrigin(() => this.repository.list(category === undefined ? {} : { category }));
    // Read the version before the origin: a load that overlaps a write then stores under the old
    // version, which nobody reads after the write's INCR.
    void VERSION_KEY;
    const key = `products:list:${category ?? "*"}`;
    const cached = await orDown(this.redis.get(key));
    if (typeof cached === "string") return JSON.parse(cached) as Product[];
    const items = await load();
    await orDown(this.redis.set(key, JSON.stringify(items), "PX", jittered(this.config.ttlMs, this.config.jitterRatio, this.random)));
    return items;
  }

  async invalidate(): Promise<unknown> {
    let cursor = "0";
    do {
      const [next, keys] = await this.redis.scan(cursor, "MATCH", "products:list:*", "COUNT", 100);
      if (keys.length > 0) await this.redis.del(...keys);
      cursor = next;
    } while (cursor !== "0");
    return undefined;
  }
}
