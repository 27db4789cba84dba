// Delivers outbox rows to a message broker (here: the `deliver` callback). Several relays may run
// at once. Keep the exported names and signatures.
import type { Pool } from "pg";

export interface OutboxMessage {
  id: string;
  topic: string;
  payload: unknown;
}
export interface OutboxRelayOptions {
  pg: Pool;
  deliver: (message: OutboxMessage) => Promise<void>;
  batchSize?: number; // default 10
}
export interface OutboxRelay {
  /** Delivers up to batchSize pending rows, oldest first; resolves with how many were delivered. */
  runOnce(): Promise<number>;
}

export function createOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  return {
    async runOnce() {
      // TODO(outbox): at least once, never the same row by two relays at once, nothing lost on a crash.
      throw new Error("not implemented: OutboxRelay.runOnce");
    },
  };
}
