// The fulfilment worker: one consumer in a Redis Streams consumer group, applying each event to
// Postgres with applyEvent (fulfilment.ts). Several run at once, in several processes.
// Keep the exported names and signatures.
import type { Worker, WorkerOptions } from "./types";

export function createWorker(_options: WorkerOptions): Worker {
  // TODO(consumer-groups): create the group, read with XREADGROUP, acknowledge after COMMIT.
  // TODO(crash-recovery): claim entries pending longer than claimIdleMs (XAUTOCLAIM).
  // TODO(idempotency): record the event's id in the same transaction as its effect.
  // TODO(poison-events): dead-letter an entry that failed maxDeliveries times.
  // TODO(ordering): apply an order's events in version order; wait for a missing one.
  // TODO(backpressure-and-shutdown): hold at most maxInFlight entries; stop() finishes them.
  return {
    async start() {
      throw new Error("not implemented: Worker.start");
    },
    async stop() {
      throw new Error("not implemented: Worker.stop");
    },
  };
}
