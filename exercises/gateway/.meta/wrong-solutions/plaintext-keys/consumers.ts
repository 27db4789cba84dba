// WRONG: stores API keys as plain text and compares them as such; a leaked table hands out every key.
// Consumers and their API keys in Postgres.
import type { Pool } from "pg";
import type { NewConsumer } from "./types";

export interface Consumer {
  id: string;
  name: string;
  routes: string[];
  rateLimit: number;
}

export async function migrate(pg: Pool): Promise<void> {
  await pg.query(`
    CREATE TABLE IF NOT EXISTS consumers (
      id         bigserial PRIMARY KEY,
      name       text      NOT NULL,
      api_key    text      NOT NULL UNIQUE,
      routes     text[]    NOT NULL,
      rate_limit integer   NOT NULL CHECK (rate_limit >= 0)
    )`);
}

export async function createConsumer(pg: Pool, consumer: NewConsumer): Promise<{ id: string }> {
  const { rows } = await pg.query<{ id: string }>(
    "INSERT INTO consumers (name, api_key, routes, rate_limit) VALUES ($1, $2, $3, $4) RETURNING id",
    [consumer.name, consumer.apiKey, consumer.routes, consumer.rateLimit],
  );
  return { id: String(rows[0]!.id) };
}

/** The consumer owning `apiKey`, or undefined for an unknown key. */
export async function findConsumer(pg: Pool, apiKey: string): Promise<Consumer | undefined> {
  const { rows } = await pg.query<{ id: string; name: string; routes: string[]; rate_limit: number }>(
    "SELECT id, name, routes, rate_limit FROM consumers WHERE api_key = $1",
    [apiKey],
  );
  const row = rows[0];
  return row && { id: String(row.id), name: row.name, routes: row.routes, rateLimit: row.rate_limit };
}
