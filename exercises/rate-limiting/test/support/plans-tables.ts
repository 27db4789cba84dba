import type { Pool } from "pg";
import type { Algorithm } from "#src/app";

/** The tables of stage tiers, as the README pins them. */
export const PLANS_SCHEMA = `
  CREATE TABLE plans (
    name           text PRIMARY KEY,
    algorithm      text NOT NULL CHECK (algorithm IN ('fixed-window', 'sliding-window', 'token-bucket')),
    request_limit  integer NOT NULL CHECK (request_limit > 0),
    window_seconds integer NOT NULL CHECK (window_seconds > 0)
  );
  CREATE TABLE api_keys (
    api_key text PRIMARY KEY,
    plan    text NOT NULL REFERENCES plans (name)
  );`;

export async function createPlansTables(pg: Pool): Promise<void> {
  await pg.query("DROP TABLE IF EXISTS api_keys, plans");
  await pg.query(PLANS_SCHEMA);
}

export async function addPlan(
  pg: Pool,
  name: string,
  algorithm: Algorithm,
  limit: number,
  windowSeconds: number,
): Promise<void> {
  await pg.query("INSERT INTO plans VALUES ($1, $2, $3, $4)", [
    name,
    algorithm,
    limit,
    windowSeconds,
  ]);
}

export async function addKey(pg: Pool, apiKey: string, plan: string): Promise<void> {
  await pg.query("INSERT INTO api_keys VALUES ($1, $2)", [apiKey, plan]);
}
