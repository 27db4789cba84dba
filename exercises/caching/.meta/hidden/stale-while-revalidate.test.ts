import { setTimeout as sleep } from "node:timers/promises";
import {
  because,
  eventually,
  manualClock,
  request,
  seededRandom,
  within,
} from "@backend-sandbox/testkit";
import type { Product } from "#src/product";
import { fieldsOf } from "#support/fields-of";
import { randomProduct } from "#support/random-product";
import { useCatalog, type Instance } from "#support/use-catalog";

const catalog = useCatalog();
const SOFT = 10_000;

/** Reads until the answer is `expected` (the background refresh has landed), or fails after 5 s. */
function untilRefreshed(app: Instance, expected: Product, what: string) {
  return eventually(what, async () => (await request(`${app.url}/products/${expected.id}`)).body, {
    until: (body) => JSON.stringify(body) === JSON.stringify(expected),
  });
}

async function staleSetup(random: ReturnType<typeof seededRandom>, count: number) {
  const product = randomProduct(random);
  await catalog.origin.seed([product]);
  const clock = manualClock();
  const apps = await catalog.instances(count, {
    softTtlMs: SOFT,
    ttlMs: 60_000,
    lockTtlMs: 10_000,
    now: clock.now,
  });
  expect((await request(`${apps[0]!.url}/products/${product.id}`)).body).toEqual(product);
  const newer = (await catalog.origin.direct.patch(product.id, {
    priceCents: product.priceCents + 1,
  }))!; // behind the cache's back
  return { product, newer, clock, apps };
}

describe("stale-while-revalidate", () => {
  it("[R5.1] serves a fresh entry without a refresh until softTtlMs has passed", async () => {
    const random = seededRandom();
    const { product, clock, apps } = await staleSetup(random, 1);
    clock.advance(SOFT - 1);
    expect((await request(`${apps[0]!.url}/products/${product.id}`)).body).toEqual(product);
    await sleep(300);
    because(
      `expected no origin call for a read 1 ms before the soft TTL, saw ${catalog.origin.reads(product.id) - 1} (seed ${random.seed})`,
      () => expect(catalog.origin.reads(product.id)).toBe(1),
    );
  });

  it("[R5.1, R5.2] treats an entry exactly softTtlMs old as stale: it is served and refreshed", async () => {
    const random = seededRandom();
    const { product, newer, clock, apps } = await staleSetup(random, 1);
    clock.advance(SOFT);
    const stale = await request(`${apps[0]!.url}/products/${product.id}`);
    because(
      `expected the stale product (version 1) to be served at an age of exactly softTtlMs (seed ${random.seed})`,
      () => expect(stale.body).toEqual(product),
    );
    await untilRefreshed(
      apps[0]!,
      newer,
      `the refreshed product (version 2): an entry whose age is softTtlMs is stale, so a refresh starts (seed ${random.seed})`,
    );
  });

  it("[R5.1, R5.2] past softTtlMs answers the stale entry at once, while one refresh runs in the background", async () => {
    const random = seededRandom();
    const { product, newer, clock, apps } = await staleSetup(random, 1);
    clock.advance(SOFT + random.int(1, 5000));
    const refresh = catalog.origin.holdNextRead();
    const stale = await within(
      3000,
      "the stale entry to be served while the refresh is still loading",
      request(`${apps[0]!.url}/products/${product.id}`),
    );
    because(
      `expected the stale product (version 1) to be served without waiting (seed ${random.seed})`,
      () => expect(stale.body).toEqual(product),
    );
    await within(5000, "a background refresh to reach the origin", refresh.reached);
    refresh.release();
    await untilRefreshed(
      apps[0]!,
      newer,
      `the refreshed product (version 2) once the background refresh finished (seed ${random.seed})`,
    );
    because(
      `expected exactly one refresh (2 origin calls in all), saw ${catalog.origin.reads(product.id)} (seed ${random.seed})`,
      () => expect(catalog.origin.reads(product.id)).toBe(2),
    );
  });

  it("[R5.2] starts one refresh for 60 concurrent stale reads across 3 instances, all answered stale", async () => {
    const random = seededRandom();
    const { product, newer, clock, apps } = await staleSetup(random, 3);
    clock.advance(SOFT + 1);
    const refresh = catalog.origin.holdNextRead();
    const answers = await within(
      10_000,
      "60 stale reads to be answered while the refresh is held",
      Promise.all(
        Array.from({ length: 60 }, (_, n) => request(`${apps[n % 3]!.url}/products/${product.id}`)),
      ),
    );
    const notStale = answers.filter(
      (a) => JSON.stringify(a.body) !== JSON.stringify(product),
    ).length;
    because(
      `expected all 60 answers to be the stale product, ${notStale} were not (seed ${random.seed})`,
      () => expect(notStale).toBe(0),
    );
    refresh.release();
    await untilRefreshed(
      apps[2]!,
      newer,
      `the refreshed product after the refresh (seed ${random.seed})`,
    );
    because(
      `expected exactly 1 background refresh for 60 stale reads, saw ${catalog.origin.reads(product.id) - 1} (seed ${random.seed})`,
      () => expect(catalog.origin.reads(product.id)).toBe(2),
    );
  });

  it("[R5.3] does not let a background refresh that loaded before a write overwrite the write", async () => {
    const random = seededRandom();
    const { product, clock, apps } = await staleSetup(random, 2);
    clock.advance(SOFT + 1);
    const refresh = catalog.origin.holdNextRead();
    await request(`${apps[0]!.url}/products/${product.id}`);
    await within(5000, "a background refresh to reach the origin", refresh.reached);
    const changed = randomProduct(random, { id: product.id });
    expect(
      (
        await request(`${apps[1]!.url}/products/${product.id}`, {
          method: "PUT",
          json: fieldsOf(changed),
        })
      ).status,
    ).toBe(200);
    refresh.release();
    await sleep(300);
    for (const [n, app] of apps.entries()) {
      const answer = await request(`${app.url}/products/${product.id}`);
      because(
        `expected instance ${n + 1} to answer the PUT's state (version 3), not what the slower refresh loaded (seed ${random.seed})`,
        () => expect(answer.body).toEqual({ ...changed, version: 3 }),
      );
    }
  });

  it("[R5.1, R5.2] judges the soft TTL with Date.now when now is left out", async () => {
    const { random, product } = await catalog.seededProduct();
    const [app] = await catalog.instances(1, { softTtlMs: 300, ttlMs: 60_000, lockTtlMs: 10_000 });
    expect((await request(`${app!.url}/products/${product.id}`)).body).toEqual(product);
    const newer = (await catalog.origin.direct.patch(product.id, {
      priceCents: product.priceCents + 1,
    }))!; // behind the cache's back
    await sleep(600); // twice the soft TTL on the real clock
    const stale = await request(`${app!.url}/products/${product.id}`);
    because(
      `expected the stale product (version 1) 600 ms after a 300 ms soft TTL, while it refreshes (seed ${random.seed})`,
      () => expect(stale.body).toEqual(product),
    );
    await untilRefreshed(
      app!,
      newer,
      `the refreshed product (version 2) once a real-clock soft TTL of 300 ms had passed (seed ${random.seed})`,
    );
  });
});
