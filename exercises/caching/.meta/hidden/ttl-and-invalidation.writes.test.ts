import { because, request, seededRandom } from "@backend-sandbox/testkit";
import type { Product } from "#src/product";
import { expectProblem } from "#support/expect-problem";
import { fieldsOf } from "#support/fields-of";
import { randomProduct } from "#support/random-product";
import { useCatalog, type Instance } from "#support/use-catalog";

const catalog = useCatalog();

async function warm(apps: Instance[], product: Product) {
  for (const app of apps)
    expect((await request(`${app.url}/products/${product.id}`)).body).toEqual(product);
}

describe("ttl-and-invalidation: writes", () => {
  it("[R2.2, R2.5] serves the new state on every instance right after a PUT on one of them", async () => {
    const { random, product } = await catalog.seededProduct();
    const apps = await catalog.instances(3);
    await warm(apps, product);
    const changed = randomProduct(random, { id: product.id });
    const written = await request(`${random.pick(apps).url}/products/${product.id}`, {
      method: "PUT",
      json: { ...fieldsOf(changed), id: "ignored", version: 99 },
    });
    because(
      `expected 200 with the replaced product (version 2) as the body, got ${written.status} ${JSON.stringify(written.body)} (seed ${random.seed})`,
      () => {
        expect(written.status).toBe(200);
        expect(written.body).toEqual({ ...changed, version: 2 });
      },
    );
    for (const [n, app] of apps.entries()) {
      const answer = await request(`${app.url}/products/${product.id}`);
      because(
        `expected instance ${n + 1} to answer the PUT's new state (version 2) at once (seed ${random.seed})`,
        () => expect(answer.body).toEqual({ ...changed, version: 2 }),
      );
    }
  });

  it("[R2.3, R2.5] serves a PATCH's new state and a DELETE's 404 on every instance at once, and 404 for writes to a missing id", async () => {
    const { random, product } = await catalog.seededProduct();
    const apps = await catalog.instances(3);
    await warm(apps, product);
    const priceCents = product.priceCents + random.int(1, 500);
    expect(
      (
        await request(`${apps[1]!.url}/products/${product.id}`, {
          method: "PATCH",
          json: { priceCents },
        })
      ).status,
    ).toBe(200);
    for (const [n, app] of apps.entries()) {
      const answer = await request(`${app.url}/products/${product.id}`);
      because(
        `expected instance ${n + 1} to show priceCents ${priceCents} after the PATCH (seed ${random.seed})`,
        () => expect(answer.body).toEqual({ ...product, priceCents, version: 2 }),
      );
    }
    expect(
      (await request(`${apps[2]!.url}/products/${product.id}`, { method: "DELETE" })).status,
    ).toBe(204);
    for (const [n, app] of apps.entries()) {
      const answer = await request(`${app.url}/products/${product.id}`);
      because(
        `expected instance ${n + 1} to answer 404 after the DELETE, not the cached product; got ${answer.status} (seed ${random.seed})`,
        () => expect(answer.status).toBe(404),
      );
    }
    const patchGone = await request(`${apps[0]!.url}/products/${product.id}`, {
      method: "PATCH",
      json: { priceCents },
    });
    const deleteGone = await request(`${apps[1]!.url}/products/${product.id}`, {
      method: "DELETE",
    });
    because(
      `expected 404 for a PATCH and a DELETE of an id with no product, got ${patchGone.status} and ${deleteGone.status}`,
      () => {
        expect(patchGone.status).toBe(404);
        expect(deleteGone.status).toBe(404);
      },
    );
  });

  it("[R2.7] keeps serving the committed state when a write fails in the origin", async () => {
    const { random, product } = await catalog.seededProduct();
    const apps = await catalog.instances(2);
    await warm(apps, product);
    catalog.origin.failNext("put");
    const failed = await request(`${apps[0]!.url}/products/${product.id}`, {
      method: "PUT",
      json: fieldsOf(randomProduct(random)),
    });
    because(`expected 503 for a PUT the origin rejected, got ${failed.status}`, () =>
      expect(failed.status).toBe(503),
    );
    for (const app of apps) {
      const answer = await request(`${app.url}/products/${product.id}`);
      because(`expected the unchanged product after a failed write (seed ${random.seed})`, () =>
        expect(answer.body).toEqual(product),
      );
    }
    expect(await catalog.origin.direct.findById(product.id)).toEqual(product);
  });

  it("[R2.4] rejects invalid writes (422 for bad fields, 400 for broken JSON) and changes nothing", async () => {
    const { random, product } = await catalog.seededProduct();
    const [app] = await catalog.instances(1);
    await warm([app!], product);
    const url = `${app!.url}/products/${product.id}`;
    const bad = [
      { ...fieldsOf(product), priceCents: "12" },
      { ...fieldsOf(product), priceCents: -1 },
      { ...fieldsOf(product), priceCents: 1.5 },
      { ...fieldsOf(product), name: "" },
      { ...fieldsOf(product), name: "   " },
      { ...fieldsOf(product), name: "x".repeat(201) },
      { ...fieldsOf(product), priceCents: 2_147_483_648 },
      { name: "x" },
      [],
      "just a string",
      42,
      null,
      { ...fieldsOf(product), category: "Bad Category!" },
      { ...fieldsOf(product), name: 42 },
      { ...fieldsOf(product), category: 42 },
      { ...fieldsOf(product), category: "Kitchen" },
      { ...fieldsOf(product), category: "kitchen!" },
      { ...fieldsOf(product), category: "x".repeat(33) },
    ];
    for (const body of bad) {
      const answer = await request(url, { method: "PUT", json: body });
      because(`expected 422 for PUT ${JSON.stringify(body)}, got ${answer.status}`, () =>
        expect(answer.status).toBe(422),
      );
    }
    const broken = await request(url, {
      method: "PUT",
      body: '{"name": "x", ',
      headers: { "content-type": "application/json" },
    });
    because(`expected 400 for a body that is not JSON, got ${broken.status}`, () =>
      expect(broken.status).toBe(400),
    );
    const empty = await request(url, { method: "PATCH", json: {} });
    because(`expected 422 for a PATCH that changes nothing, got ${empty.status}`, () =>
      expect(empty.status).toBe(422),
    );
    const answer = await request(url);
    because(`expected the product unchanged after rejected writes (seed ${random.seed})`, () =>
      expect(answer.body).toEqual(product),
    );
    expect(catalog.origin.calls.put + catalog.origin.calls.patch).toBe(0);
  });

  it("[R2.4] accepts the edges of every range: a 200-character name, 1- and 32-character categories, priceCents 0 and 2147483647", async () => {
    const random = seededRandom();
    const [app] = await catalog.instances(1);
    const edges = [
      { name: "n".repeat(200) },
      { category: "x".repeat(32) },
      { category: "k" },
      { priceCents: 0 },
      { priceCents: 2_147_483_647 },
    ];
    for (const edge of edges) {
      const product = { ...randomProduct(random), ...edge };
      const written = await request(`${app!.url}/products/${product.id}`, {
        method: "PUT",
        json: fieldsOf(product),
      });
      because(
        `expected 201 with the product for PUT ${JSON.stringify(edge)} (a value at the edge of its range), got ${written.status} ${written.text.slice(0, 200)} (seed ${random.seed})`,
        () => {
          expect(written.status).toBe(201);
          expect(written.body).toEqual(product);
        },
      );
    }
  });

  it("[R1.5, R2.3, R2.4] answers each refused write as a problem with its status and a detail", async () => {
    const { random, product } = await catalog.seededProduct();
    const [app] = await catalog.instances(1);
    const url = `${app!.url}/products/${product.id}`;
    const refused: [string, { method: string; json: unknown }, number][] = [
      ["PUT of a string", { method: "PUT", json: "just a string" }, 422],
      ["PUT missing category and priceCents", { method: "PUT", json: { name: "x" } }, 422],
      ["PUT with a bad name", { method: "PUT", json: { ...fieldsOf(product), name: "" } }, 422],
      [
        "PUT with a bad category",
        { method: "PUT", json: { ...fieldsOf(product), category: "Bad!" } },
        422,
      ],
      [
        "PUT with a bad priceCents",
        { method: "PUT", json: { ...fieldsOf(product), priceCents: -1 } },
        422,
      ],
      ["PATCH of {}", { method: "PATCH", json: {} }, 422],
    ];
    for (const [what, init, status] of refused)
      expectProblem(
        await request(url, { method: init.method, json: init.json }),
        status,
        `${what} (seed ${random.seed})`,
      );
    expectProblem(
      await request(url, {
        method: "PUT",
        body: '{"name": "x", ',
        headers: { "content-type": "application/json" },
      }),
      400,
      "a PUT whose body is not JSON",
    );
    const missing = `${app!.url}/products/p-${random.token(8)}`;
    expectProblem(
      await request(missing, { method: "PATCH", json: { priceCents: 1 } }),
      404,
      `PATCH of an id with no product (seed ${random.seed})`,
    );
    expectProblem(
      await request(missing, { method: "DELETE" }),
      404,
      `DELETE of an id with no product (seed ${random.seed})`,
    );
    catalog.origin.failNext("put");
    expectProblem(
      await request(url, { method: "PUT", json: fieldsOf(product) }),
      503,
      `a PUT the origin rejects (seed ${random.seed})`,
    );
  });

  it("[R2.8] answers 413 to a write body over 100 kB, without writing", async () => {
    const { random, product } = await catalog.seededProduct();
    const [app] = await catalog.instances(1);
    const padding = random.token(8).repeat(20_000); // 160 kB in a member the app ignores (R2.4)
    for (const method of ["PUT", "PATCH"]) {
      const answer = await request(`${app!.url}/products/${product.id}`, {
        method,
        json: { ...fieldsOf(product), note: padding },
      });
      expectProblem(answer, 413, `a ${method} with a 160 kB body (seed ${random.seed})`);
    }
    because(
      `expected no repository write for bodies over the limit, saw ${catalog.origin.calls.put} put and ${catalog.origin.calls.patch} patch calls`,
      () => expect(catalog.origin.calls.put + catalog.origin.calls.patch).toBe(0),
    );
  });
});
