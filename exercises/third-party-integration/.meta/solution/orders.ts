// Creating an order and announcing it: the order row and its outbox row commit together, so there
// is never an order nobody hears about, nor an announcement of an order that does not exist.
import type { Pool } from "pg";

export interface NewOrder {
  customerId: string;
  amountCents: number;
  currency: string;
}
export interface Order extends NewOrder {
  id: string;
  status: string;
}

export async function createOrder(pg: Pool, input: NewOrder): Promise<Order> {
  const client = await pg.connect(); // one connection: BEGIN on a pool would scatter the statements
  try {
    await client.query("BEGIN");
    const { rows } = await client.query<{ id: string; status: string }>(
      "INSERT INTO orders (customer_id, amount_cents, currency) VALUES ($1, $2, $3) RETURNING id, status",
      [input.customerId, input.amountCents, input.currency],
    );
    const order: Order = { id: rows[0]!.id, status: rows[0]!.status, ...input };
    await client.query("INSERT INTO outbox (topic, payload) VALUES ('order.created', $1)", [
      JSON.stringify({
        orderId: order.id,
        customerId: order.customerId,
        amountCents: order.amountCents,
        currency: order.currency,
      }),
    ]);
    await client.query("COMMIT");
    return order;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
