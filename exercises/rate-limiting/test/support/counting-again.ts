import { eventually, type SeededRandom } from "@backend-sandbox/testkit";
import { get } from "./client-requests";

/**
 * Waits (up to 10 s) until the app answers a fresh client 200 with RateLimit headers again: the
 * limiter counts once more after Redis came back, without a restart (R6.5).
 */
export async function countingAgain(url: string, random: SeededRandom): Promise<void> {
  await eventually(
    `counted 200s (with RateLimit headers) again after Redis resumed (seed ${random.seed})`,
    () => get(url, random.token()),
    {
      until: (reply) => reply.status === 200 && reply.headers.has("ratelimit"),
      timeoutMs: 10_000,
    },
  );
}
