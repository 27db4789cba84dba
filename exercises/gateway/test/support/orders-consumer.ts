import type { SeededRandom } from "@backend-sandbox/testkit";
import type { Consumers } from "./consumers";

/** A consumer that may call the `orders` route only, with a random API key; its id is a JWT `sub`. */
export async function ordersConsumer(
  consumers: Consumers,
  random: SeededRandom,
  name: string,
  apiKey = `sk_${random.token(32)}`,
): Promise<string> {
  return (await consumers.create({ name, apiKey, routes: ["orders"], rateLimit: 10_000 })).id;
}
