// The counting, in Redis: one function per algorithm behind consume().
// Keep the exported names and signatures: rate-limiter.ts calls them.
import type { Redis } from "ioredis";
import type { Policy } from "./types";

export interface Decision {
  /** May this request go on? */
  allowed: boolean;
  /** Whole requests the client may still make right now, after this one; never negative. */
  remaining: number;
  /** Milliseconds until the client gets at least one more request back (when refused: until it may retry). */
  resetMs: number;
}

/** Counts one request of `client` under `policy` at `nowMs`, in one step that no other instance can split. */
export async function consume(
  redis: Redis,
  policy: Policy,
  client: string,
  nowMs: number,
): Promise<Decision> {
  // TODO(fixed-window): one counter per client per window, with an expiry so it leaves with its window.
  // TODO(sliding-window): no double burst across a fixed-window boundary; say which variant, and its error.
  // TODO(token-bucket): capacity `limit`, refilled continuously at limit/windowSeconds tokens per second.
  // TODO(many-instances): three instances (processes), one Redis: exact counts for every algorithm under
  //   concurrency, and each key written together with its expiry in one atomic step.
  void [redis, policy, client, nowMs];
  throw new Error("not implemented: consume");
}
