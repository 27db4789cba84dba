import type { SeededRandom } from "@backend-sandbox/testkit";
import type { Product } from "#src/product";

/** A product with random fields drawn from the test's seeded random (version 1, as a first write gives it). */
export function randomProduct(random: SeededRandom, fields: Partial<Product> = {}): Product {
  return {
    id: `p-${random.token(10)}`,
    name: `${random.pick(["Blue", "Red", "Green", "Tiny", "Large"])} ${random.pick(["mug", "lamp", "chair", "pen"])} ${random.token(4)}`,
    category: random.pick(["kitchen", "garden", "office", "toys"]),
    priceCents: random.int(100, 99_999),
    version: 1,
    ...fields,
  };
}
