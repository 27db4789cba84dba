// The effect of one event on the fulfilment table (given). It runs on the client it is given,
// so it joins whatever transaction that client is in. It throws on an event it cannot apply.
import type { PoolClient } from "pg";
import type { OrderEvent } from "./types";

export class UnprocessableEventError extends Error {
  override name = "UnprocessableEventError";
}

export async function applyEvent(client: PoolClient, event: OrderEvent): Promise<void> {
  const units = event.payload.units;
  if (typeof units !== "number" || !Number.isSafeInteger(units) || units < 0)
    throw new UnprocessableEventError(`event ${event.id}: payload.units must be an integer >= 0`);
  await client.query(
    `INSERT INTO fulfilment (order_id, version, units, applied) VALUES ($1, $2, $3, ARRAY[$2::int])
     ON CONFLICT (order_id) DO UPDATE SET version = EXCLUDED.version,
       units = fulfilment.units + EXCLUDED.units, applied = fulfilment.applied || EXCLUDED.version`,
    [event.aggregateId, event.version, units],
  );
}
