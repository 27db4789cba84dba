// Password storage per OWASP's Password Storage Cheat Sheet: scrypt with a random salt per hash,
// the parameters stored with the hash so they can be raised later, compared in constant time.
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";
import { promisify } from "node:util";
import { BREACHED_PASSWORDS } from "./breached-passwords";
import type { ScryptParams } from "./types";

export const DEFAULT_SCRYPT: ScryptParams = { N: 131072, r: 8, p: 1 };
const SALT_BYTES = 16;
const KEY_BYTES = 32;
const BREACHED = new Set(BREACHED_PASSWORDS);
// The overload with options: scrypt(password, salt, keylen, options, callback).
const scryptAsync = promisify(scrypt) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: ScryptOptions,
) => Promise<Buffer>;

function derive(password: string, salt: Buffer, { N, r, p }: ScryptParams): Promise<Buffer> {
  // N=2^17, r=8 needs 128 MiB (128 * N * r bytes); Node refuses above 32 MiB unless told.
  const options: ScryptOptions = { N, r, p, maxmem: 256 * 1024 * 1024 };
  return scryptAsync(password, salt, KEY_BYTES, options);
}

/** `scrypt$N$r$p$<salt base64>$<key base64>` (R1.3). */
export async function hashPassword(password: string, params: ScryptParams): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, params);
  return [
    "scrypt",
    params.N,
    params.r,
    params.p,
    salt.toString("base64"),
    key.toString("base64"),
  ].join("$");
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  // A hash of another scheme, or without its key, matches no password (R1.6). A hash with a key
  // has a salt before it; an empty one derives a key of its own that matches nothing.
  const [scheme, N, r, p, salt, key] = stored.split("$");
  if (scheme !== "scrypt" || !key) return false;
  const expected = Buffer.from(key, "base64");
  const actual = await derive(password, Buffer.from(salt!, "base64"), { N: +N!, r: +r!, p: +p! });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** Why a new password is refused (R1.4), or undefined. Lengths count Unicode code points. */
export function passwordProblem(password: unknown): string | undefined {
  if (typeof password !== "string") return "invalid_request";
  const length = [...password].length;
  if (length < 8) return "password_too_short";
  if (length > 64) return "password_too_long";
  if (BREACHED.has(password.toLowerCase())) return "password_breached";
  return undefined;
}

/** The email as stored: trimmed and lower-cased (R1.2); undefined when it is not an address. */
export function normaliseEmail(email: unknown): string | undefined {
  if (typeof email !== "string") return undefined;
  const normal = email.trim().toLowerCase();
  return normal.length <= 254 && /^[^\s@]+@[^\s@]+$/.test(normal) ? normal : undefined;
}
