import type { Pool } from "pg";
import type { SeededRandom } from "@backend-sandbox/testkit";
import { createConsumer } from "#src/consumers";

/** A consumer that may call the `orders` route only, with a random API key; its id is a JWT `sub`. */
export async function ordersConsumer(
  pg: Pool,
  random: SeededRandom,
  name: string,
  apiKey = `sk_${random.token(32)}`,
): Promise<string> {
  return (await createConsumer(pg, { name, apiKey, routes: ["orders"], rateLimit: 10_000 })).id;
}
