// Creates an order and its `order.created` outbox row. Keep the exported names and signatures.
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
  void [pg, input];
  // TODO(outbox): the order and its outbox row, both or neither.
  throw new Error("not implemented: createOrder");
}
