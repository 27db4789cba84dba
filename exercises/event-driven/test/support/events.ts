// Events as the order service publishes them, and the test's own way to put them on a stream:
// the envelope of R1.1, written with XADD by the test (duplicates and reordering included).
import type { Redis } from "ioredis";
import type { SeededRandom } from "@backend-sandbox/testkit";
import type { OrderEvent } from "#src/types";

/** An event of order `aggregateId` at `version`, with `units` from the seed unless given. */
export function orderEvent(
  random: SeededRandom,
  fields: Partial<OrderEvent> & { units?: number } = {},
): OrderEvent {
  const { units = random.int(1, 9), ...rest } = fields;
  return {
    id: `evt_${random.token(16)}`,
    type: "order.placed",
    aggregateId: `ord_${random.token(10)}`,
    version: 1,
    occurredAt: new Date(Date.UTC(2030, 0, 1) + random.int(0, 1e9)).toISOString(),
    payload: { units },
    ...rest,
  };
}

/** `n` events, each the first of an order of its own. */
export function firstEvents(random: SeededRandom, n: number): OrderEvent[] {
  return Array.from({ length: n }, () => orderEvent(random));
}

/** The entry fields of R1.1, in order. */
export function envelopeFields(event: OrderEvent): string[] {
  return [
    "id", event.id,
    "type", event.type,
    "aggregateId", event.aggregateId,
    "version", String(event.version),
    "occurredAt", event.occurredAt,
    "payload", JSON.stringify(event.payload),
  ]; // prettier-ignore
}

/** Appends the events to `stream` in this order, in one pipeline; resolves with their entry IDs. */
export async function append(
  redis: Redis,
  stream: string,
  events: OrderEvent[],
): Promise<string[]> {
  const pipeline = redis.pipeline();
  for (const event of events) pipeline.xadd(stream, "*", ...envelopeFields(event));
  const results = (await pipeline.exec()) ?? [];
  return results.map(([error, id]) => {
    if (error) throw error;
    return String(id);
  });
}

/** The sum of the events' units, per order and in all. */
export function expectedUnits(events: OrderEvent[]): { total: number; orders: number } {
  const total = events.reduce((sum, e) => sum + Number(e.payload.units), 0);
  return { total, orders: new Set(events.map((e) => e.aggregateId)).size };
}
