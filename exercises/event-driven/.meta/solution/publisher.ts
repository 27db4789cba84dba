// The order service's side: appends events to the stream.
import type { Redis } from "ioredis";
import { toFields, validateEvent } from "./envelope";
import type { OrderEvent, PublishOptions } from "./types";

/** Appends `event` to `stream` and resolves with the entry ID Redis gave it (R1.1 to R1.3). */
export async function publish(
  redis: Redis,
  stream: string,
  event: OrderEvent,
  { maxLen = 10_000 }: PublishOptions = {},
): Promise<string> {
  validateEvent(event); // before anything is sent: an invalid event adds nothing
  // MAXLEN ~ trims whole macro nodes only, so it is cheap; the stream keeps at least maxLen.
  const id = await redis.xadd(stream, "MAXLEN", "~", String(maxLen), "*", ...toFields(event));
  return id!;
}

export { InvalidEventError } from "./envelope";
