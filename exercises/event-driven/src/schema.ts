// The tables of the fulfilment worker (given). The tests read them: keep the names and columns
// listed here; add indexes or columns if you need them.
import type { Pool } from "pg";

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS fulfilment (
  order_id text PRIMARY KEY,
  version  integer NOT NULL,   -- the version of the last event applied
  units    integer NOT NULL,   -- the sum of payload.units over the events applied
  applied  integer[] NOT NULL  -- the versions applied, in the order they were applied
);
CREATE TABLE IF NOT EXISTS processed_events (
  event_id     text PRIMARY KEY,
  processed_at timestamptz NOT NULL DEFAULT now()
);
`;

export async function migrate(pg: Pool): Promise<void> {
  await pg.query(SCHEMA);
}
