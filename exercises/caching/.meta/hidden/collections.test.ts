import { because, request, seededRandom, within } from "@backend-sandbox/testkit";
import type { Product } from "#src/product";
import { answeredFirst } from "#support/answered-first";
import { expectProblem } from "#support/expect-problem";
import { fieldsOf } from "#support/fields-of";
import { keysWithTtl } from "#support/keys-with-ttl";
import { randomProduct } from "#support/random-product";
import { useCatalog } from "#support/use-catalog";

const catalog = useCatalog();
const sorted = (products: Product[]) =>
  [...products].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

describe("collections", () => {
  it("[R7.1, R7.2] serves GET /products and GET /products?category=... from the cache after the first read", async () => {
    const random = seededRandom();
    const products = Array.from({ length: random.int(5, 12) }, () => randomProduct(random));
    await catalog.origin.seed(products);
    const [app] = await catalog.instances(1);
    const category = products[0]!.category;
    for (let n = 0; n < 3; n++) {
      const all = await request(`${app!.url}/products`);
      const some = await request(`${app!.url}/products?category=${category}`);
      because(
        `expected { items } sorted by id: all products, then only category ${category} (seed ${random.seed})`,
        () => {
          expect(all.body).toEqual({ items: sorted(products) });
          expect(some.body).toEqual({
            items: sorted(products.filter((p) => p.category === category)),
          });
        },
      );
    }
    because(
      `expected 2 origin list calls (one per query) for 6 list reads, saw ${catalog.origin.calls.list} (seed ${random.seed})`,
      () => expect(catalog.origin.calls.list).toBe(2),
    );
  });

  it("[R7.3] shows every kind of write in the lists of every instance at once", async () => {
    const random = seededRandom();
    const products = Array.from({ length: 4 }, () =>
      randomProduct(random, { category: "kitchen" }),
    );
    await catalog.origin.seed(products);
    const apps = await catalog.instances(3);
    let expected = sorted(products);
    const check = async (step: string) => {
      for (const [n, app] of apps.entries()) {
        const all = await request(`${app.url}/products`);
        const kitchen = await request(`${app.url}/products?category=kitchen`);
        because(
          `expected instance ${n + 1}'s lists to reflect ${step} at once (seed ${random.seed})`,
          () => {
            expect(all.body).toEqual({ items: expected });
            expect(kitchen.body).toEqual({
              items: expected.filter((p) => p.category === "kitchen"),
            });
          },
        );
      }
    };
    await check("the seeded products");
    const added = randomProduct(random, { category: "kitchen" });
    expect(
      (
        await request(`${apps[0]!.url}/products/${added.id}`, {
          method: "PUT",
          json: fieldsOf(added),
        })
      ).status,
    ).toBe(201);
    expected = sorted([...expected, added]);
    await check(`a PUT creating ${added.id}`);
    const moved = expected[1]!;
    expect(
      (
        await request(`${apps[1]!.url}/products/${moved.id}`, {
          method: "PATCH",
          json: { category: "garden" },
        })
      ).status,
    ).toBe(200);
    expected = expected.map((p) =>
      p.id === moved.id ? { ...p, category: "garden", version: p.version + 1 } : p,
    );
    await check(`a PATCH moving ${moved.id} to another category`);
    const gone = expected[0]!;
    expect(
      (await request(`${apps[2]!.url}/products/${gone.id}`, { method: "DELETE" })).status,
    ).toBe(204);
    expected = expected.filter((p) => p.id !== gone.id);
    await check(`a DELETE of ${gone.id}`);
  });

  it("[R7.5] gives list entries an expiry (at most one key, a collection version, may live forever)", async () => {
    const random = seededRandom();
    const products = Array.from({ length: 6 }, () => randomProduct(random));
    await catalog.origin.seed(products);
    const [app] = await catalog.instances(1);
    for (const category of ["kitchen", "garden", "office", "toys"])
      await request(`${app!.url}/products?category=${category}`);
    await request(`${app!.url}/products/${products[0]!.id}`, {
      method: "PATCH",
      json: { priceCents: 1 },
    });
    const all = await request(`${app!.url}/products`);
    const changed = products.map((p, n) => (n === 0 ? { ...p, priceCents: 1, version: 2 } : p));
    because(`expected the full list with the PATCH applied (seed ${random.seed})`, () =>
      expect(all.body).toEqual({ items: sorted(changed) }),
    );
    const forever = [...(await keysWithTtl(catalog.services.redis))]
      .filter(([, ttl]) => ttl === -1)
      .map(([key]) => key);
    because(
      `expected at most one key without expiry, found ${forever.length}: ${forever.join(", ")}`,
      () => expect(forever.length).toBeLessThanOrEqual(1),
    );
  });

  it("[R7.1] rejects a malformed category with 400 without reaching the origin", async () => {
    const [app] = await catalog.instances(1);
    for (const category of ["Kitchen!", "x".repeat(33), "a%3Ab", "*"])
      expectProblem(
        await request(`${app!.url}/products?category=${category}`),
        400,
        `GET /products?category=${category}`,
      );
    const twice = await request(`${app!.url}/products?category=toys&category=office`);
    because(`expected 400 for a repeated category parameter, got ${twice.status}`, () =>
      expect(twice.status).toBe(400),
    );
    expect(catalog.origin.calls.list).toBe(0);
  });

  it("[R7.3] does not serve a list that loaded before a write once the write has answered", async () => {
    const random = seededRandom();
    const products = Array.from({ length: 3 }, () => randomProduct(random, { category: "office" }));
    await catalog.origin.seed(products);
    const apps = await catalog.instances(2);
    const read = catalog.origin.holdNextRead(); // the list read holds with the old rows in hand
    const reading = request(`${apps[0]!.url}/products?category=office`);
    await within(
      5000,
      "the list read to reach the origin",
      read.reached,
      answeredFirst(reading, "the list read"),
    );
    const added = randomProduct(random, { category: "office" });
    expect(
      (
        await within(
          5000,
          "a PUT while the list loads",
          request(`${apps[1]!.url}/products/${added.id}`, { method: "PUT", json: fieldsOf(added) }),
        )
      ).status,
    ).toBe(201);
    read.release();
    await reading; // it began before the write, so the old list is a fair answer to it
    for (const [n, app] of apps.entries()) {
      const answer = await request(`${app.url}/products?category=office`);
      because(
        `expected instance ${n + 1}'s list to hold ${added.id} after the PUT; a list loaded before the write must not be served after it (seed ${random.seed})`,
        () => expect(answer.body).toEqual({ items: sorted([...products, added]) }),
      );
    }
  });

  it("[R7.3] shows a write in the lists when a list was read while the write was uncommitted", async () => {
    const random = seededRandom();
    const products = Array.from({ length: 3 }, () => randomProduct(random, { category: "garden" }));
    await catalog.origin.seed(products);
    const apps = await catalog.instances(2);
    const gone = products[random.int(0, 2)]!;
    const commit = catalog.origin.holdNextCommit();
    const deleting = request(`${apps[0]!.url}/products/${gone.id}`, { method: "DELETE" });
    await within(
      5000,
      "the DELETE to reach its commit",
      commit.reached,
      answeredFirst(deleting, "the DELETE"),
    );
    const during = await within(
      5000,
      "a list read while the DELETE is uncommitted",
      request(`${apps[1]!.url}/products?category=garden`),
    );
    expect(during.body).toEqual({ items: sorted(products) });
    commit.release();
    expect((await deleting).status).toBe(204);
    for (const [n, app] of apps.entries()) {
      const answer = await request(`${app.url}/products?category=garden`);
      because(
        `expected instance ${n + 1}'s list without ${gone.id} once the DELETE committed (seed ${random.seed})`,
        () =>
          expect(answer.body).toEqual({ items: sorted(products.filter((p) => p.id !== gone.id)) }),
      );
    }
  });

  it("[R7.1, R7.2] caches each category's list apart: reads of several categories each get their own items", async () => {
    const random = seededRandom();
    const categories = ["kitchen", "garden", "office", "toys"];
    const products = categories.flatMap((category) =>
      Array.from({ length: random.int(1, 3) }, () => randomProduct(random, { category })),
    );
    await catalog.origin.seed(products);
    const [app] = await catalog.instances(1);
    for (let round = 0; round < 2; round++) {
      for (const category of categories) {
        const answer = await request(`${app!.url}/products?category=${category}`);
        because(
          `expected GET /products?category=${category} to list only that category's products (round ${round + 1}, seed ${random.seed})`,
          () =>
            expect(answer.body).toEqual({
              items: sorted(products.filter((p) => p.category === category)),
            }),
        );
      }
    }
    because(
      `expected one origin list call per category (4), saw ${catalog.origin.calls.list} (seed ${random.seed})`,
      () => expect(catalog.origin.calls.list).toBe(4),
    );
  });
});
