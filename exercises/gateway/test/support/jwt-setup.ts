import { manualClock, type SeededRandom } from "@backend-sandbox/testkit";

/** What a JWT test file draws from its seed: an HS256 secret and a manual clock in 2030. */
export function jwtSetup(random: SeededRandom) {
  const secret = random.token(random.int(32, 64));
  const clock = manualClock(Date.UTC(2030, 0, 1) + random.int(0, 1_000_000) * 1000);
  return { secret, clock };
}
