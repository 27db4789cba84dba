// Who is calling: the consumer named by an API key (X-Api-Key) or, when the gateway has a JWT
// secret, by the `sub` of an HS256 bearer token (Authorization: Bearer). Either way, the
// consumer's list of routes then decides what it may call.
import type { IncomingMessage } from "node:http";
import type { Pool } from "pg";
import { findConsumer, findConsumerById, type Consumer } from "./consumers";
import { InvalidToken, verifyJwt, type JwtSettings } from "./jwt";
import type { GatewayOptions } from "./types";

/** Why a request gets 401: the problem's detail and the WWW-Authenticate challenge. */
export interface Refusal {
  detail: string;
  challenge: string;
}

export type Caller = { consumer: Consumer; bearer: boolean } | Refusal;

// Stryker disable next-line StringLiteral: prose no rule words: the realm is optional (RFC 6750 §3), no rule names it, and the tests read a challenge's scheme and error only
const REALM = 'realm="gateway"';

// RFC 7518 §3.2: an HS256 key must be at least as long as the hash output, 256 bits.
const MIN_SECRET_BYTES = 32;
// RFC 7519 §4.1.4 allows "some small leeway" for clock skew. Each second of it is a second in
// which an expired token still works, so it is capped at a minute.
const MAX_LEEWAY_SECONDS = 60;

/** The gateway's JWT settings, checked once: a weak key or a long leeway stops it from starting. */
export function jwtSettings({ jwt, now = Date.now }: GatewayOptions): JwtSettings | undefined {
  if (!jwt) return undefined;
  // Stryker disable next-line StringLiteral: Buffer.from reads an empty encoding as UTF-8, the same bytes
  const key = Buffer.from(jwt.secret, "utf8");
  if (key.length < MIN_SECRET_BYTES) {
    // Stryker disable next-line StringLiteral: prose no rule words (R3.15 asks only that createGateway throws)
    throw new Error(`the JWT secret must be at least ${MIN_SECRET_BYTES} bytes`);
  }
  const leewaySeconds = jwt.leewaySeconds ?? 30;
  if (!(leewaySeconds >= 0 && leewaySeconds <= MAX_LEEWAY_SECONDS)) {
    // Stryker disable next-line StringLiteral: prose no rule words (R3.15 asks only that createGateway throws)
    throw new Error(`the JWT leeway must be 0 to ${MAX_LEEWAY_SECONDS} seconds`);
  }
  return { key, leewaySeconds, now };
}

export async function identify(
  req: IncomingMessage,
  pg: Pool,
  jwt: JwtSettings | undefined,
): Promise<Caller> {
  const authorization = req.headers.authorization;
  // The scheme is case-insensitive (RFC 9110 §11.1). A request with a token is judged by it alone.
  if (jwt && authorization && /^bearer(?:\s|$)/i.test(authorization)) {
    return fromToken(pg, jwt, authorization.slice("bearer".length).trim());
  }
  const apiKey = req.headers["x-api-key"];
  // Node joins a repeated X-Api-Key into one string; an empty one is looked up and found unknown.
  const consumer = typeof apiKey === "string" ? await findConsumer(pg, apiKey) : undefined;
  if (consumer) return { consumer, bearer: false };
  // RFC 9110 §15.5.2: a 401 always says how to authenticate. RFC 6750 §3: no error code when the
  // request carried no token.
  const challenge = jwt ? `ApiKey ${REALM}, Bearer ${REALM}` : `ApiKey ${REALM}`;
  // Stryker disable next-line StringLiteral: prose no rule words (R3.16 offers Bearer in the challenge, not in the detail)
  const alternative = jwt ? " or bearer token" : "";
  return { detail: `a valid X-Api-Key${alternative} is required`, challenge };
}

async function fromToken(pg: Pool, jwt: JwtSettings, token: string): Promise<Caller> {
  let subject: string;
  try {
    subject = verifyJwt(token, jwt);
  } catch (error) {
    // A bug is a 500, not a refused token.
    // Stryker disable next-line ConditionalExpression: verifyJwt throws nothing but InvalidToken (JSON.parse's error is caught, lengths checked before timingSafeEqual), so no request reaches this throw
    if (!(error instanceof InvalidToken)) throw error;
    return invalidToken(error.message);
  }
  const consumer = await findConsumerById(pg, subject);
  return consumer ? { consumer, bearer: true } : invalidToken("the token names no consumer");
}

// RFC 6750 §3.1: expired, forged or malformed tokens are all "invalid_token". The challenge is a
// fixed string: nothing from the token reaches a header, where a stray CR LF would break it.
const invalidToken = (detail: string): Refusal => ({
  detail,
  challenge: `Bearer ${REALM}, error="invalid_token"`,
});
