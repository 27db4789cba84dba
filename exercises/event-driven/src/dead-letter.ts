// Dead letters: entries that failed maxDeliveries times, moved aside by the worker (worker.ts)
// with their error, and moved back by an operator once the cause is fixed.
// Keep the exported names and signatures.
import type { Redis } from "ioredis";

export interface ReplayOptions {
  stream: string;
  /** Default `${stream}:dead`. */
  deadLetterStream?: string;
  /** The most dead letters moved, oldest first; default 100. */
  count?: number;
}

/** Moves dead letters back onto the stream; resolves with how many were moved. */
export async function replayDeadLetters(_redis: Redis, _options: ReplayOptions): Promise<number> {
  // TODO(poison-events): XRANGE the dead letters, XADD each back without error, deliveries and
  // streamId, and XDEL it, in one MULTI per dead letter.
  throw new Error("not implemented: replayDeadLetters");
}
