// Consumers of the gateway and their API keys, stored in Postgres.
// Keep the exported names and signatures: the tests create consumers through them.
import type { Pool } from "pg";
import type { NewConsumer } from "./types";

/** Creates the tables the gateway needs; safe to run more than once. */
export async function migrate(pg: Pool): Promise<void> {
  // TODO(auth): a consumers table; never store an API key in a form that can be read back.
  throw new Error("not implemented: migrate");
}

/** Stores a consumer and returns its id (the gateway forwards it upstream as X-Consumer-Id). */
export async function createConsumer(pg: Pool, consumer: NewConsumer): Promise<{ id: string }> {
  throw new Error("not implemented: createConsumer");
}
