import { because, eventually, request } from "@backend-sandbox/testkit";
import type { Product } from "#src/product";
import type { Origin } from "./origin";
import type { Instance } from "./use-catalog";

/**
 * Reads `product` on each instance until that instance answers it from Redis (200, the product,
 * no origin call). Then the product is cached and every instance's client is connected: a client
 * without an offline queue rejects every call until it is, and the app would quietly go to the
 * origin instead. A wrong answer fails at once.
 */
export async function cachedOnEvery(
  origin: Origin,
  apps: Instance[],
  product: Product,
): Promise<void> {
  for (const [n, app] of apps.entries()) {
    const seen = await eventually(
      `instance ${n + 1} to answer ${product.id} from Redis (no origin call) before the outage`,
      async () => {
        const before = origin.reads(product.id);
        const answer = await request(`${app.url}/products/${product.id}`);
        const right =
          answer.status === 200 && JSON.stringify(answer.body) === JSON.stringify(product);
        return { status: answer.status, right, originCalls: origin.reads(product.id) - before };
      },
      { until: (seen) => !seen.right || seen.originCalls === 0, timeoutMs: 10_000 },
    );
    because(
      `expected instance ${n + 1} to answer 200 with ${product.id} before the outage, got ${seen.status}`,
      () => expect(seen.right).toBe(true),
    );
  }
}
