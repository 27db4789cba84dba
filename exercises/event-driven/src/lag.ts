// How far behind the fulfilment workers are: what a dashboard or an autoscaler reads.
// Keep the exported names and signatures.
import type { Redis } from "ioredis";

export interface GroupLag {
  /** Entries delivered to the group's consumers and not yet acknowledged. */
  pending: number;
  /** Entries of the stream not yet delivered to the group (null when Redis cannot tell). */
  lag: number | null;
}

export async function groupLag(_redis: Redis, _stream: string, _group: string): Promise<GroupLag> {
  // TODO(backpressure-and-shutdown): read the group's line of XINFO GROUPS.
  throw new Error("not implemented: groupLag");
}
