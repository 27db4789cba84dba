import { because, request, seededRandom } from "@backend-sandbox/testkit";
import { fieldsOf } from "#support/fields-of";
import { randomProduct } from "#support/random-product";
import { useCatalog } from "#support/use-catalog";

const catalog = useCatalog();

describe("negative-caching", () => {
  it("[R4.1, R4.4] remembers a missing id, and forgets it when a PUT creates it", async () => {
    const random = seededRandom();
    const product = randomProduct(random);
    const [app] = await catalog.instances(1);
    const url = `${app!.url}/products/${product.id}`;
    expect((await request(url)).status).toBe(404);
    expect((await request(url)).status).toBe(404);
    because(
      `expected 1 origin call for two reads of a missing id, saw ${catalog.origin.reads(product.id)}`,
      () => expect(catalog.origin.reads(product.id)).toBe(1),
    );
    expect((await request(url, { method: "PUT", json: fieldsOf(product) })).status).toBe(201);
    const created = await request(url);
    because(`expected the created product at once (seed ${random.seed})`, () =>
      expect(created.body).toEqual(product),
    );
  });
});
