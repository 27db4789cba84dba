import { because, seededRandom, within } from "@backend-sandbox/testkit";
import { randomProduct, useCatalog } from "#support/catalog";
import { fieldsOf, get, put } from "#support/http";

const catalog = useCatalog();

describe("ttl-and-invalidation: a read racing a write", () => {
  it("[R2.5] serves the new state after a write, even when a read ran between the write's change and its commit", async () => {
    const random = seededRandom();
    const product = randomProduct(random);
    await catalog.origin.seed([product]);
    const apps = await catalog.instances(2);
    await get(`${apps[0]!.url}/products/${product.id}`);
    const changed = randomProduct(random, { id: product.id });
    const commit = catalog.origin.holdNextCommit();
    const writing = put(`${apps[0]!.url}/products/${product.id}`, fieldsOf(changed));
    await within(5000, "the PUT to reach the origin", commit.reached);
    // The write has changed the row but not committed: a read now can only see the old row.
    const during = await within(5000, "a read while a write is uncommitted", get(`${apps[1]!.url}/products/${product.id}`));
    expect(during.body).toEqual(product);
    commit.release();
    expect((await writing).status).toBe(200);
    for (const [n, app] of apps.entries()) {
      const answer = await get(`${app.url}/products/${product.id}`);
      because(`expected instance ${n + 1} to answer the committed write (version 2), not the state read before the commit (seed ${random.seed})`, () =>
        expect(answer.body).toEqual({ ...changed, version: 2 }));
    }
  });

  it("[R2.6] does not let a read that loaded the old state before a write store it after the write", async () => {
    const random = seededRandom();
    const product = randomProduct(random);
    await catalog.origin.seed([product]);
    const apps = await catalog.instances(2);
    const read = catalog.origin.holdNextRead();
    const reading = get(`${apps[0]!.url}/products/${product.id}`);
    await within(5000, "the cold read to reach the origin", read.reached);
    const changed = randomProduct(random, { id: product.id });
    const written = await within(5000, "a PUT while a read is loading", put(`${apps[1]!.url}/products/${product.id}`, fieldsOf(changed)));
    expect(written.status).toBe(200);
    read.release();
    await reading; // it began before the write, so either state is a fair answer to it
    for (const [n, app] of apps.entries()) {
      const answer = await get(`${app.url}/products/${product.id}`);
      because(`expected instance ${n + 1} to answer the write's state (version 2) after the slow read finished; a read that began before the write must not overwrite it (seed ${random.seed})`, () =>
        expect(answer.body).toEqual({ ...changed, version: 2 }));
    }
  });
});
