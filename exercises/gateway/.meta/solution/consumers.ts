// Consumers and their API keys in Postgres. Only a SHA-256 digest of each key is stored: a leaked
// table or backup then reveals no usable key. A fast unsalted hash is the right tool here (unlike
// for passwords) because API keys are long random strings, so the digest can be looked up by
// index in one query, and the comparison happens on digests, never on the secret itself.
import { createHash } from "node:crypto";
import type { Pool } from "pg";
import type { NewConsumer } from "./types";

export interface Consumer {
  id: string;
  name: string;
  routes: string[];
  rateLimit: number;
}

// A string is hashed as its UTF-8 bytes (Node's default for a string without an encoding).
const digest = (apiKey: string) => createHash("sha256").update(apiKey).digest();

export async function migrate(pg: Pool): Promise<void> {
  await pg.query(`
    CREATE TABLE IF NOT EXISTS consumers (
      id         bigserial PRIMARY KEY,
      name       text      NOT NULL,
      key_sha256 bytea     NOT NULL UNIQUE,
      routes     text[]    NOT NULL,
      rate_limit integer   NOT NULL CHECK (rate_limit >= 0)
    )`);
}

export async function createConsumer(pg: Pool, consumer: NewConsumer): Promise<{ id: string }> {
  const { rows } = await pg.query<{ id: string }>(
    "INSERT INTO consumers (name, key_sha256, routes, rate_limit) VALUES ($1, $2, $3, $4) RETURNING id",
    [consumer.name, digest(consumer.apiKey), consumer.routes, consumer.rateLimit],
  );
  return { id: String(rows[0]!.id) };
}

/** The consumer owning `apiKey`, or undefined for an unknown key. */
export function findConsumer(pg: Pool, apiKey: string): Promise<Consumer | undefined> {
  return selectConsumer(pg, "key_sha256 = $1", digest(apiKey));
}

/** The consumer with this id (a bearer token's `sub`), or undefined. */
export async function findConsumerById(pg: Pool, id: string): Promise<Consumer | undefined> {
  // Ids are bigserial: anything else names no consumer, and Postgres would raise a cast error on it.
  if (!/^[1-9][0-9]{0,17}$/.test(id)) return undefined;
  return selectConsumer(pg, "id = $1", id);
}

async function selectConsumer(
  pg: Pool,
  where: string,
  value: unknown,
): Promise<Consumer | undefined> {
  const { rows } = await pg.query<{
    id: string;
    name: string;
    routes: string[];
    rate_limit: number;
  }>(`SELECT id, name, routes, rate_limit FROM consumers WHERE ${where}`, [value]);
  const row = rows[0];
  return (
    row && { id: String(row.id), name: row.name, routes: row.routes, rateLimit: row.rate_limit }
  );
}
