import { because, onCleanup, request, seededRandom, startRedis } from "@backend-sandbox/testkit";
import { Redis } from "ioredis";
import { fieldsOf } from "#support/fields-of";
import { randomProduct } from "#support/random-product";
import { useCatalog } from "#support/use-catalog";

const catalog = useCatalog();

describe("collections: invalidation cost", () => {
  it("[R7.3, R7.4] invalidates cached lists on writes without KEYS or SCAN", async () => {
    const random = seededRandom();
    const redis = await startRedis(); // its own Redis, so its command statistics are ours alone
    const admin = new Redis(redis.url);
    onCleanup(() => admin.disconnect());
    const products = Array.from({ length: 8 }, () => randomProduct(random));
    await catalog.origin.seed(products);
    const apps = await catalog.instances(2, { redisUrl: redis.url });
    await admin.config("RESETSTAT");
    const categories = ["kitchen", "garden", "office", "toys"];
    for (const app of apps)
      for (const category of categories) await request(`${app.url}/products?category=${category}`);
    const added = randomProduct(random, { category: "toys" });
    await request(`${apps[0]!.url}/products/${added.id}`, { method: "PUT", json: fieldsOf(added) });
    await request(`${apps[1]!.url}/products/${products[0]!.id}`, {
      method: "PATCH",
      json: { category: "toys" },
    });
    const toys = await request(`${apps[1]!.url}/products?category=toys`);
    const expected = [
      ...products.filter((p) => p.category === "toys" && p.id !== products[0]!.id),
      added,
      { ...products[0]!, category: "toys", version: 2 },
    ].sort((a, b) => (a.id < b.id ? -1 : 1));
    because(`expected the toys list to show both writes (seed ${random.seed})`, () =>
      expect(toys.body).toEqual({ items: expected }),
    );
    const stats = String(await admin.info("commandstats"));
    const sweeps = stats.split(/\r?\n/).filter((line) => /^cmdstat_(keys|scan):/.test(line));
    because(
      `expected no KEYS or SCAN command while serving and invalidating lists, Redis counted: ${sweeps.join("; ")}`,
      () => expect(sweeps).toEqual([]),
    );
  });
});
