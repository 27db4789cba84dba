// The cached list endpoint. Entries are keyed by a collection version; a write bumps the version
// (one INCR), so every old entry stops being read at once and just expires. No KEYS or SCAN sweep.
import type { Redis } from "ioredis";
import type { CacheOptions } from "./app";
import { fromOrigin } from "./origin-unavailable";
import type { Product, ProductRepository } from "./product";
import { jittered, orDown, REDIS_DOWN } from "./redis-fallback";

/** The one key without a TTL: if it expired, the version would restart and old lists could come back. */
// Stryker disable next-line StringLiteral: no rule names this key, and Redis takes the empty key as any other (still the one key without a TTL, R7.5)
const VERSION_KEY = "products:version";

export class ListCache {
  constructor(
    private readonly redis: Redis,
    private readonly repository: ProductRepository,
    private readonly config: CacheOptions,
    private readonly random: () => number,
  ) {}

  async read(category: string | undefined): Promise<Product[]> {
    const load = () => fromOrigin(() => this.repository.list({ category }));
    // Read the version before the origin: a load that overlaps a write then stores under the old
    // version, which nobody reads after the write's INCR.
    const version = await orDown(this.redis.get(VERSION_KEY));
    if (version === REDIS_DOWN) return load();
    // Stryker disable next-line StringLiteral: a category has at least one character (R7.1), so no marker for "all", even an empty one, names a category's key
    const key = `products:list:v${version ?? 0}:${category ?? "*"}`;
    const cached = await orDown(this.redis.get(key));
    if (typeof cached === "string") return JSON.parse(cached) as Product[];
    const items = await load();
    await orDown(
      this.redis.set(
        key,
        JSON.stringify(items),
        "PX",
        jittered(this.config.ttlMs, this.config.jitterRatio, this.random),
      ),
    );
    return items;
  }

  invalidate(): Promise<unknown> {
    return orDown(this.redis.incr(VERSION_KEY));
  }
}
