// The tables this service owns. The tests read them (counts, states), so keep the names and the
// columns listed here; add indexes or columns if you need them.
import type { Pool } from "pg";

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS orders (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id  text NOT NULL,
  amount_cents integer NOT NULL CHECK (amount_cents > 0),
  currency     text NOT NULL,
  status       text NOT NULL DEFAULT 'pending',
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS outbox (
  id           bigserial PRIMARY KEY,
  topic        text NOT NULL,
  payload      jsonb NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  delivered_at timestamptz
);
CREATE TABLE IF NOT EXISTS processed_events (
  event_id     text PRIMARY KEY,
  processed_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS payments (
  id      text PRIMARY KEY,
  status  text NOT NULL,
  amount  integer NOT NULL,
  version integer NOT NULL
);
CREATE TABLE IF NOT EXISTS ledger_entries (
  id         bigserial PRIMARY KEY,
  payment_id text NOT NULL,
  event_id   text NOT NULL,
  amount     integer NOT NULL
);
`;

export async function migrate(pg: Pool): Promise<void> {
  await pg.query(SCHEMA);
}
