import { because, manualClock, request, within } from "@backend-sandbox/testkit";
import { useCatalog } from "#support/use-catalog";

const catalog = useCatalog();

describe("stale-while-revalidate", () => {
  it("[R5.1, R5.2] past softTtlMs serves the stale product without waiting for the refresh", async () => {
    const { random, product } = await catalog.seededProduct();
    const clock = manualClock();
    const [app] = await catalog.instances(1, { softTtlMs: 5000, ttlMs: 60_000, now: clock.now });
    await request(`${app!.url}/products/${product.id}`);
    await catalog.origin.direct.patch(product.id, { priceCents: product.priceCents + 1 }); // behind the cache's back
    clock.advance(5001);
    const refresh = catalog.origin.holdNextRead(); // the refresh will wait here until released
    const answer = await within(
      3000,
      "the stale product while the refresh is held",
      request(`${app!.url}/products/${product.id}`),
    );
    refresh.release();
    because(`expected the stale product (version 1) (seed ${random.seed})`, () =>
      expect(answer.body).toEqual(product),
    );
  });

  it("[R5.5, R5.6] answers 304 to If-None-Match with the current ETag", async () => {
    const { product } = await catalog.seededProduct();
    const [app] = await catalog.instances(1);
    const url = `${app!.url}/products/${product.id}`;
    const etag = (await request(url)).headers.get("etag");
    expect(etag).toMatch(/^"/);
    const answer = await request(url, { headers: { "if-none-match": etag! } });
    because(`expected 304 for If-None-Match: ${etag}, got ${answer.status}`, () =>
      expect(answer.status).toBe(304),
    );
  });
});
