// The event envelope and the worker's options, shared by every file. Keep the names and fields.
import type { Redis } from "ioredis";
import type { Pool } from "pg";

/** One event of the order service, as published (R1.1). */
export interface OrderEvent {
  /** Unique per event: the idempotency key of its consumers. */
  id: string;
  /** What happened, e.g. "order.placed". */
  type: string;
  /** The order the event belongs to. */
  aggregateId: string;
  /** 1 for an order's first event, then 2, 3, ... with no gap. */
  version: number;
  /** When it happened: ISO 8601 in UTC, e.g. "2030-01-01T00:00:00.000Z". */
  occurredAt: string;
  /** The event's data; the fulfilment worker reads `units` (a non-negative integer). */
  payload: Record<string, unknown>;
}

export interface PublishOptions {
  /** Approximate bound on the stream's length (XADD MAXLEN ~); default 10000. */
  maxLen?: number;
}

export interface WorkerOptions {
  redis: Redis;
  pg: Pool;
  stream: string;
  group: string;
  /** This worker's consumer name in the group; unique per worker. */
  consumer: string;
  /** How long one XREADGROUP waits for new entries (BLOCK), in ms; default 1000. */
  blockMs?: number;
  /** Entries pending at least this long (ms) are claimed with XAUTOCLAIM; default 30000. */
  claimIdleMs?: number;
  /** Deliveries after which a failing entry is dead-lettered; default 5. */
  maxDeliveries?: number;
  /** Where dead letters go; default `${stream}:dead`. */
  deadLetterStream?: string;
  /** The most entries this worker holds (delivered to it, not yet acknowledged); default 10. */
  maxInFlight?: number;
}

export interface Worker {
  /** Creates the group if needed, starts the loop; resolves once the group exists. */
  start(): Promise<void>;
  /** Stops reading, finishes and acknowledges what it holds; resolves when the loop has ended. */
  stop(): Promise<void>;
}
