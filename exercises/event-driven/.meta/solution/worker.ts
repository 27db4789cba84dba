// The fulfilment worker: one consumer of a Redis Streams consumer group.
import { deadLetter } from "./dead-letter";
import { fromFields } from "./envelope";
import { processEvent } from "./process-event";
import type { Worker, WorkerOptions } from "./types";

type Entry = [id: string, fields: string[]];
type Pending = [id: string, consumer: string, idleMs: number, deliveries: number];

export function createWorker(options: WorkerOptions): Worker {
  const { redis, pg, stream, group, consumer } = options;
  const { blockMs = 1000, claimIdleMs = 30_000, maxDeliveries = 5, maxInFlight = 10 } = options;
  const target = { stream, group, deadLetterStream: options.deadLetterStream ?? `${stream}:dead` };
  // Stryker disable next-line BooleanLiteral: equivalent, nothing reads running before start() sets it
  let running = false;
  let loop: Promise<void> = Promise.resolve();
  let cursor = "0-0";

  async function handle([id, fields]: Entry): Promise<void> {
    try {
      const outcome = await processEvent(pg, fromFields(fields));
      // Acknowledged only after COMMIT: a crash before this line means a redelivery, not a loss.
      // An early version stays pending and is claimed again later.
      if (outcome !== "early") await redis.xack(stream, group, id);
    } catch (error) {
      const pending = (await redis.xpending(stream, group, id, id, 1)) as Pending[];
      // Stryker disable next-line OptionalChaining: untested: the entry would have to leave the pending list between the failure and XPENDING (acknowledged by another consumer or deleted)
      const deliveries = pending[0]?.[3] ?? 1;
      if (deliveries >= maxDeliveries)
        await deadLetter(redis, target, { id, fields, deliveries, error });
      // Otherwise left pending: claimed again after claimIdleMs, its delivery count one higher.
    }
  }

  async function round(): Promise<void> {
    // Entries left pending by a crashed worker (or a failed attempt) first: nothing is lost.
    const [next, claimed] = (await redis.xautoclaim(stream, group, consumer, claimIdleMs,
      cursor, "COUNT", maxInFlight)) as [string, Entry[]]; // prettier-ignore
    cursor = next;
    let entries = claimed;
    if (entries.length === 0 && running) {
      const read = (await redis.xreadgroup("GROUP", group, consumer, "COUNT", maxInFlight,
        "BLOCK", blockMs, "STREAMS", stream, ">")) as [string, Entry[]][] | null; // prettier-ignore
      // Stryker disable next-line OptionalChaining,ArrayDeclaration: equivalent, a non-null reply holds the stream; a timed-out read (null) then ends the round with an error, and the loop reads again 100 ms later
      entries = read?.[0]?.[1] ?? [];
    }
    // What was read is finished even if stop() came meanwhile: held entries are never dropped.
    // COUNT maxInFlight on both reads, one batch at a time: never more than maxInFlight held.
    for (const entry of entries) await handle(entry);
  }

  return {
    async start() {
      try {
        await redis.xgroup("CREATE", stream, group, "0", "MKSTREAM");
      } catch (error) {
        if (!String((error as Error).message).startsWith("BUSYGROUP")) throw error;
      }
      running = true;
      loop = (async () => {
        while (running) {
          // Redis or Postgres down: try again shortly; what was not acknowledged stays pending.
          await round().catch(() => new Promise((r) => setTimeout(r, 100)));
        }
      })();
    },
    async stop() {
      running = false;
      await loop;
    },
  };
}
