import { because, request, within } from "@backend-sandbox/testkit";
import { answeredFirst } from "#support/answered-first";
import { fieldsOf } from "#support/fields-of";
import { randomProduct } from "#support/random-product";
import { useCatalog } from "#support/use-catalog";

const catalog = useCatalog();

describe("ttl-and-invalidation: a read racing a write", () => {
  it("[R2.5] serves the new state after a write, even when a read ran between the write's change and its commit", async () => {
    const { random, product } = await catalog.seededProduct();
    const apps = await catalog.instances(2);
    await request(`${apps[0]!.url}/products/${product.id}`);
    const changed = randomProduct(random, { id: product.id });
    const commit = catalog.origin.holdNextCommit();
    const writing = request(`${apps[0]!.url}/products/${product.id}`, {
      method: "PUT",
      json: fieldsOf(changed),
    });
    await within(
      5000,
      "the PUT to reach the origin",
      commit.reached,
      answeredFirst(writing, "the PUT"),
    );
    // The write has changed the row but not committed: a read now can only see the old row.
    const during = await within(
      5000,
      "a read while a write is uncommitted",
      request(`${apps[1]!.url}/products/${product.id}`),
    );
    expect(during.body).toEqual(product);
    commit.release();
    expect((await writing).status).toBe(200);
    for (const [n, app] of apps.entries()) {
      const answer = await request(`${app.url}/products/${product.id}`);
      because(
        `expected instance ${n + 1} to answer the committed write (version 2), not the state read before the commit (seed ${random.seed})`,
        () => expect(answer.body).toEqual({ ...changed, version: 2 }),
      );
    }
  });

  // Every write path invalidates: a fill that loaded the old row before any of them must not store it.
  for (const method of ["PUT", "PATCH", "DELETE"] as const) {
    it(`[R2.6] does not let a read that loaded the old state before a ${method} store it after the ${method}`, async () => {
      const { random, product } = await catalog.seededProduct();
      const apps = await catalog.instances(2);
      const read = catalog.origin.holdNextRead();
      const reading = request(`${apps[0]!.url}/products/${product.id}`);
      await within(
        5000,
        "the cold read to reach the origin",
        read.reached,
        answeredFirst(reading, "the read"),
      );
      const url = `${apps[1]!.url}/products/${product.id}`;
      const changed = randomProduct(random, { id: product.id, version: 2 });
      const [write, expected] =
        method === "PUT"
          ? [
              request(url, { method: "PUT", json: fieldsOf(changed) }),
              { status: 200, body: changed },
            ]
          : method === "PATCH"
            ? [
                request(url, { method: "PATCH", json: { priceCents: changed.priceCents } }),
                { status: 200, body: { ...product, priceCents: changed.priceCents, version: 2 } },
              ]
            : [request(url, { method: "DELETE" }), { status: 404, body: undefined }];
      const written = await within(5000, `a ${method} while a read is loading`, write);
      expect(written.status).toBe(method === "DELETE" ? 204 : 200);
      read.release();
      await reading; // it began before the write, so either state is a fair answer to it
      for (const [n, app] of apps.entries()) {
        const answer = await request(`${app.url}/products/${product.id}`);
        because(
          `expected instance ${n + 1} to answer the ${method}'s state (${expected.status}) after the slow read finished, got ${answer.status} ${JSON.stringify(answer.body)}; a read that began before the write must not store what it loaded (seed ${random.seed})`,
          () => {
            expect(answer.status).toBe(expected.status);
            if (expected.body) expect(answer.body).toEqual(expected.body);
          },
        );
      }
    });
  }
});
