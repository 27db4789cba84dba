import { because, request } from "@backend-sandbox/testkit";
import { useCatalog } from "#support/use-catalog";

const catalog = useCatalog({ delayMs: 150 });

describe("stampede", () => {
  it("[R3.1] sends 30 concurrent cold reads on 2 instances to the origin once", async () => {
    const { random, product } = await catalog.seededProduct();
    const [a, b] = await catalog.instances(2, { lockTtlMs: 10_000 });
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, n) =>
        request(`${(n % 2 ? a : b)!.url}/products/${product.id}`),
      ),
    );
    because(
      `expected 30 answers of 200 and 1 origin call, saw ${catalog.origin.reads(product.id)} calls (seed ${random.seed})`,
      () => {
        expect(answers.map((answer) => answer.status)).toEqual(Array(30).fill(200));
        expect(catalog.origin.reads(product.id)).toBe(1);
      },
    );
  });
});
