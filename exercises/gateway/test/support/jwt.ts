// JWTs made by hand, from base64url and an HMAC (node:crypto, no library), so that a test builds
// a hostile token (any header, any claims, any bytes in a segment) as easily as a valid one.
import { createHmac } from "node:crypto";
import type { Pool } from "pg";
import type { SeededRandom } from "@backend-sandbox/testkit";
import { createConsumer } from "#src/consumers";
import { send, PROBLEM_JSON, type Sent } from "./send";
import { manualClock } from "./serve-gateway";

/** base64url without padding (RFC 7515 §2) of text (as UTF-8) or bytes. */
export const base64url = (data: string | Buffer) => Buffer.from(data).toString("base64url");

/** `header64.payload64.signature`: an HMAC (SHA-256 unless `hash` says) over the segments as given. */
export function signSegments(
  secret: string,
  header64: string,
  payload64: string,
  hash = "sha256",
): string {
  const signature = createHmac(hash, secret).update(`${header64}.${payload64}`).digest("base64url");
  return `${header64}.${payload64}.${signature}`;
}

/** A compact JWS of `claims`, HS256 unless `header` and `hash` say otherwise. */
export function jwt(
  secret: string,
  claims: object,
  header: object = { alg: "HS256", typ: "JWT" },
  hash = "sha256",
): string {
  return signSegments(
    secret,
    base64url(JSON.stringify(header)),
    base64url(JSON.stringify(claims)),
    hash,
  );
}

/** The request headers that present `token`. */
export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** The `error` of the Bearer challenge in WWW-Authenticate ("invalid_token", ...), if there is one. */
export function bearerError(answer: Sent): string | undefined {
  const challenges = String(answer.headers["www-authenticate"] ?? "");
  return /\bBearer\b.*?\berror="?([A-Za-z_]+)/i.exec(challenges)?.[1];
}

/**
 * Sends `GET path` with each named token; returns what was wrong with the answers that are not
 * 401 problem documents with `WWW-Authenticate: Bearer error="invalid_token"` (RFC 6750 §3.1).
 */
export async function notRefused(
  url: string,
  path: string,
  tokens: Record<string, string>,
): Promise<string[]> {
  const wrong: string[] = [];
  for (const [what, token] of Object.entries(tokens)) {
    const answer = await send(url, path, { headers: bearer(token) });
    const problem = PROBLEM_JSON.test(String(answer.headers["content-type"]));
    if (answer.status !== 401 || bearerError(answer) !== "invalid_token" || !problem) {
      const challenge = answer.headers["www-authenticate"] ?? "no WWW-Authenticate";
      wrong.push(
        `${what}: ${answer.status}, ${challenge}${problem ? "" : ", not a problem document"}`,
      );
    }
  }
  return wrong;
}

/** What a JWT test file draws from its seed: an HS256 secret and a manual clock in 2030. */
export function jwtSetup(random: SeededRandom) {
  const secret = random.token(random.int(32, 64));
  const clock = manualClock(Date.UTC(2030, 0, 1) + random.int(0, 1_000_000) * 1000);
  return { secret, clock };
}

/** A consumer that may call the `orders` route only, with a random API key; its id is a JWT `sub`. */
export async function ordersConsumer(
  pg: Pool,
  random: SeededRandom,
  name: string,
  apiKey = `sk_${random.token(32)}`,
): Promise<string> {
  return (await createConsumer(pg, { name, apiKey, routes: ["orders"], rateLimit: 10_000 })).id;
}
