import { because, request } from "@backend-sandbox/testkit";
import { useCatalog } from "#support/use-catalog";

const catalog = useCatalog();

describe("cache-aside", () => {
  it("[R1.1, R1.2] reads a product from the origin once, then serves it from Redis", async () => {
    const { random, product } = await catalog.seededProduct();
    const [app] = await catalog.instances(1);

    const first = await request(`${app!.url}/products/${product.id}`);
    const second = await request(`${app!.url}/products/${product.id}`);

    because(
      `expected both reads of ${product.id} to answer 200 with the product (seed ${random.seed})`,
      () => {
        expect(first.status).toBe(200);
        expect(first.body).toEqual(product);
        expect(second.body).toEqual(product);
      },
    );
    because(
      `expected one origin call for two reads of ${product.id}, saw ${catalog.origin.reads(product.id)}`,
      () => expect(catalog.origin.reads(product.id)).toBe(1),
    );
  });
});
