// Dead letters: entries that failed too often, moved aside with their error, and moved back.
import type { Redis } from "ioredis";

const ADDED = new Set(["error", "deliveries", "streamId"]);

export interface DeadLetterTarget {
  stream: string;
  group: string;
  deadLetterStream: string;
}

/** Moves entry `id` to the dead-letter stream and acknowledges it, atomically (R5.1, R5.2). */
export async function deadLetter(
  redis: Redis,
  { stream, group, deadLetterStream }: DeadLetterTarget,
  entry: { id: string; fields: string[]; deliveries: number; error: unknown },
): Promise<void> {
  const message = entry.error instanceof Error ? entry.error.message : String(entry.error);
  // MULTI/EXEC: never acknowledged without its dead letter, never dead-lettered twice.
  await redis
    .multi()
    .xadd(
      deadLetterStream,
      "*",
      ...entry.fields,
      "error",
      message,
      "deliveries",
      String(entry.deliveries),
      "streamId",
      entry.id,
    ) // prettier-ignore
    .xack(stream, group, entry.id)
    .exec();
}

/** Moves up to `count` dead letters (oldest first) back to `stream`; resolves with how many (R5.4). */
export interface ReplayOptions {
  stream: string;
  /** Default `${stream}:dead`. */
  deadLetterStream?: string;
  /** The most dead letters moved, oldest first; default 100. */
  count?: number;
}

export async function replayDeadLetters(redis: Redis, options: ReplayOptions): Promise<number> {
  const { stream, deadLetterStream = `${options.stream}:dead`, count = 100 } = options;
  const entries = await redis.xrange(deadLetterStream, "-", "+", "COUNT", count);
  for (const [id, fields] of entries) {
    const original: string[] = [];
    // Stryker disable next-line EqualityOperator: equivalent, a stream entry's fields come in pairs (an even length)
    for (let i = 0; i + 1 < fields.length; i += 2)
      if (!ADDED.has(fields[i]!)) original.push(fields[i]!, fields[i + 1]!);
    await redis
      .multi()
      .xadd(stream, "*", ...original)
      .xdel(deadLetterStream, id)
      .exec();
  }
  return entries.length;
}
