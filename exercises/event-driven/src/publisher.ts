// The order service publishes its events to a Redis stream; the fulfilment worker (worker.ts)
// consumes them. Keep the exported names and signatures.
import type { Redis } from "ioredis";
import type { OrderEvent, PublishOptions } from "./types";

/** Thrown, before anything is sent, for an event that is not a well-formed OrderEvent. */
export class InvalidEventError extends Error {
  override name = "InvalidEventError";
}

/** Appends `event` to `stream`; resolves with the entry ID Redis gave it. */
export async function publish(
  _redis: Redis,
  _stream: string,
  _event: OrderEvent,
  _options: PublishOptions = {},
): Promise<string> {
  // TODO(publish): validate, then XADD the envelope's fields, trimming with MAXLEN ~ maxLen.
  throw new Error("not implemented: publish");
}
