import { setTimeout as sleep } from "node:timers/promises";
import { because, request, seededRandom, within, fixedRandom } from "@backend-sandbox/testkit";
import { answeredFirst } from "#support/answered-first";
import { fieldsOf } from "#support/fields-of";
import { randomProduct } from "#support/random-product";
import { useCatalog } from "#support/use-catalog";

const catalog = useCatalog({ delayMs: 100 });

describe("negative-caching", () => {
  it("[R4.1, R4.2] lets a flood of 60 requests for a missing id across 3 instances reach the origin once", async () => {
    const random = seededRandom();
    const id = `p-${random.token(10)}`;
    const apps = await catalog.instances(3, { lockTtlMs: 10_000 });
    const answers = await within(
      15_000,
      "60 reads of a missing id to be answered",
      Promise.all(
        Array.from({ length: 60 }, (_, n) => request(`${apps[n % 3]!.url}/products/${id}`)),
      ),
    );
    const statuses = [...new Set(answers.map((a) => a.status))];
    because(`expected every answer to be 404, saw statuses ${statuses.join(", ")}`, () =>
      expect(statuses).toEqual([404]),
    );
    for (let n = 0; n < 5; n++) await request(`${apps[n % 3]!.url}/products/${id}`);
    because(
      `expected 1 origin call for 65 reads of missing id ${id}, saw ${catalog.origin.reads(id)} (seed ${random.seed})`,
      () => expect(catalog.origin.reads(id)).toBe(1),
    );
  });

  it("[R4.1] remembers a missing id for negativeTtlMs, shorter than the TTL of a product", async () => {
    const random = seededRandom();
    const id = `p-${random.token(10)}`;
    const negativeTtlMs = random.int(2, 8) * 1000;
    const [app] = await catalog.instances(1, {
      ttlMs: 60_000,
      softTtlMs: 60_000,
      negativeTtlMs,
      jitterRatio: 0.2,
    });
    expect((await request(`${app!.url}/products/${id}`)).status).toBe(404);
    const pttl = await catalog.services.redis.pttl(`product:${id}`);
    because(
      `expected product:${id} to hold the miss with a PTTL in (0, ${negativeTtlMs * 1.2}], saw ${pttl} (seed ${random.seed})`,
      () => {
        expect(pttl).toBeGreaterThan(0);
        expect(pttl).toBeLessThanOrEqual(negativeTtlMs * 1.2);
      },
    );
  });

  it("[R4.4] shows a product on every instance as soon as a PUT creates the missing id", async () => {
    const random = seededRandom();
    const product = randomProduct(random);
    const apps = await catalog.instances(3, { negativeTtlMs: 30_000 });
    for (const app of apps)
      expect((await request(`${app.url}/products/${product.id}`)).status).toBe(404);
    const created = await request(`${apps[1]!.url}/products/${product.id}`, {
      method: "PUT",
      json: fieldsOf(product),
    });
    because(`expected 201 for a PUT that creates ${product.id}, got ${created.status}`, () =>
      expect(created.status).toBe(201),
    );
    for (const [n, app] of apps.entries()) {
      const answer = await request(`${app.url}/products/${product.id}`);
      because(
        `expected instance ${n + 1} to answer the new product at once, not the cached 404; got ${answer.status} (seed ${random.seed})`,
        () => expect(answer.body).toEqual(product),
      );
    }
  });

  it("[R4.3] forgets a missing id after negativeTtlMs, so a row added behind the cache's back appears", async () => {
    const random = seededRandom();
    const product = randomProduct(random);
    const [app] = await catalog.instances(1, { negativeTtlMs: 400, jitterRatio: 0.25 });
    expect((await request(`${app!.url}/products/${product.id}`)).status).toBe(404);
    await catalog.origin.seed([product]); // straight into Postgres: the app is not told
    expect((await request(`${app!.url}/products/${product.id}`)).status).toBe(404);
    await sleep(1200);
    const answer = await request(`${app!.url}/products/${product.id}`);
    because(
      `expected the product 1.2 s after a 400 ms negative entry was stored, got ${answer.status} (seed ${random.seed})`,
      () => expect(answer.body).toEqual(product),
    );
  });

  it("[R4.1] remembers a missing id for the default negativeTtlMs of 5000 ms when the option is left out", async () => {
    const random = seededRandom();
    const id = `p-${random.token(10)}`;
    const [app] = await catalog.instances(1, { random: fixedRandom(0).draw }); // no jitter: the TTL is negativeTtlMs itself
    const started = performance.now();
    expect((await request(`${app!.url}/products/${id}`)).status).toBe(404);
    const pttl = await catalog.services.redis.pttl(`product:${id}`);
    const slack = Math.ceil(performance.now() - started) + 1; // the entry is no older than this
    because(
      `expected product:${id} to hold the miss for the default negativeTtlMs: a PTTL within ${slack} ms below 5000, saw ${pttl} (seed ${random.seed})`,
      () => {
        expect(pttl).toBeGreaterThanOrEqual(5000 - slack);
        expect(pttl).toBeLessThanOrEqual(5000);
      },
    );
  });

  it("[R4.4, R2.6] does not let a read that found no row before a creating PUT store its 'not found' after the PUT", async () => {
    const random = seededRandom();
    const product = randomProduct(random);
    const apps = await catalog.instances(2, { negativeTtlMs: 30_000 });
    const read = catalog.origin.holdNextRead(); // the read has run its query and found no row
    const reading = request(`${apps[0]!.url}/products/${product.id}`);
    await within(
      5000,
      "the read of a missing id to reach the origin",
      read.reached,
      answeredFirst(reading, "the read"),
    );
    const created = await within(
      5000,
      "a PUT while the read is loading",
      request(`${apps[1]!.url}/products/${product.id}`, { method: "PUT", json: fieldsOf(product) }),
    );
    expect(created.status).toBe(201);
    read.release();
    await reading; // it began before the PUT, so 404 is a fair answer to it
    for (const [n, app] of apps.entries()) {
      const answer = await request(`${app.url}/products/${product.id}`);
      because(
        `expected instance ${n + 1} to answer the created product after the slow read finished, got ${answer.status}: a "not found" loaded before the PUT must not be stored after it (seed ${random.seed})`,
        () => expect(answer.body).toEqual(product),
      );
    }
  });

  it("[R4.4, R2.5] shows the created product when a read found no row while the creating PUT was uncommitted", async () => {
    const random = seededRandom();
    const product = randomProduct(random);
    const apps = await catalog.instances(2, { negativeTtlMs: 30_000 });
    const commit = catalog.origin.holdNextCommit();
    const creating = request(`${apps[0]!.url}/products/${product.id}`, {
      method: "PUT",
      json: fieldsOf(product),
    });
    await within(
      5000,
      "the PUT to reach its commit",
      commit.reached,
      answeredFirst(creating, "the PUT"),
    );
    const during = await within(
      5000,
      "a read while the PUT is uncommitted",
      request(`${apps[1]!.url}/products/${product.id}`),
    );
    expect(during.status).toBe(404);
    commit.release();
    expect((await creating).status).toBe(201);
    for (const [n, app] of apps.entries()) {
      const answer = await request(`${app.url}/products/${product.id}`);
      because(
        `expected instance ${n + 1} to answer the created product once the PUT committed, got ${answer.status} (seed ${random.seed})`,
        () => expect(answer.body).toEqual(product),
      );
    }
  });
});
