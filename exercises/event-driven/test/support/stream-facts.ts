// What Redis itself says about a stream and its group: facts the code under test cannot fake.
import type { Redis } from "ioredis";

const pairs = (fields: unknown[]) => {
  const info: Record<string, unknown> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) info[String(fields[i])] = fields[i + 1];
  return info;
};

/** XINFO GROUPS for `group`: pending, lag, entries-read, consumers; undefined when there is none. */
export async function groupInfo(redis: Redis, stream: string, group: string) {
  if (!(await redis.exists(stream))) return undefined;
  const groups = (await redis.xinfo("GROUPS", stream)) as unknown[][];
  const info = groups.map(pairs).find((g) => g.name === group);
  return (
    info && {
      pending: Number(info.pending),
      lag: info.lag === null ? null : Number(info.lag),
      entriesRead: Number(info["entries-read"]),
      consumers: Number(info.consumers),
    }
  );
}

/** Pending entries of the group (or of one consumer): [entry ID, consumer, idle ms, deliveries]. */
export async function pendingEntries(
  redis: Redis,
  stream: string,
  group: string,
  consumer?: string,
) {
  const args: (string | number)[] = [stream, group, "-", "+", 100_000];
  if (consumer) args.push(consumer);
  return (await redis.call("XPENDING", ...args)) as [string, string, number, number][];
}

/** The names of the group's consumers (XINFO CONSUMERS). */
export async function consumerNames(redis: Redis, stream: string, group: string) {
  const consumers = (await redis.xinfo("CONSUMERS", stream, group)) as unknown[][];
  return consumers.map((c) => String(pairs(c).name));
}

/** True once every entry of the stream was delivered to the group and acknowledged. */
export async function drained(redis: Redis, stream: string, group: string): Promise<boolean> {
  const info = await groupInfo(redis, stream, group);
  return info !== undefined && info.lag === 0 && info.pending === 0;
}

/** A consumer that reads `count` entries and never acknowledges them: a worker that died. */
export async function readAsGhost(redis: Redis, stream: string, group: string, count: number) {
  await redis.xgroup("CREATE", stream, group, "0", "MKSTREAM").catch(() => {});
  const read = (await redis.xreadgroup(
    "GROUP",
    group,
    "ghost",
    "COUNT",
    count,
    "STREAMS",
    stream,
    ">",
  )) as [string, [string, string[]][]][] | null;
  return (read?.[0]?.[1] ?? []).map(([id]) => id);
}
