import { because, request, seededRandom } from "@backend-sandbox/testkit";
import { fieldsOf } from "#support/fields-of";
import { randomProduct } from "#support/random-product";
import { useCatalog } from "#support/use-catalog";

const catalog = useCatalog();

describe("collections", () => {
  it("[R7.1, R7.2, R7.3] caches the list and shows a new product in it at once", async () => {
    const random = seededRandom();
    const [first, second] = [
      randomProduct(random, { category: "toys" }),
      randomProduct(random, { category: "toys" }),
    ];
    await catalog.origin.seed([first!]);
    const [app] = await catalog.instances(1);
    await request(`${app!.url}/products?category=toys`);
    const cached = await request(`${app!.url}/products?category=toys`);
    because(
      `expected the list from the cache: 1 origin list call, saw ${catalog.origin.calls.list}`,
      () => {
        expect(cached.body).toEqual({ items: [first] });
        expect(catalog.origin.calls.list).toBe(1);
      },
    );
    await request(`${app!.url}/products/${second!.id}`, { method: "PUT", json: fieldsOf(second!) });
    const after = await request(`${app!.url}/products?category=toys`);
    because(`expected both products, sorted by id, right after the PUT (seed ${random.seed})`, () =>
      expect(after.body).toEqual({
        items: [first, second].sort((x, y) => (x!.id < y!.id ? -1 : 1)),
      }),
    );
  });
});
