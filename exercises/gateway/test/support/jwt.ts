// JWTs made by hand, from base64url and an HMAC (node:crypto, no library), so that a test builds
// a hostile token (any header, any claims, any bytes in a segment) as easily as a valid one.
import { createHmac } from "node:crypto";

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
