// Per-key plans (free, pro, ...) stored in Postgres, served from memory in steady state.
// Keep the exported names and signatures: rate-limiter.ts calls them.
import type { Pool } from "pg";
import type { Policy } from "./types";

export interface PlanStore {
  /** The plan of `apiKey` as a Policy named after the plan, or undefined for an unknown key. */
  planFor(apiKey: string): Promise<Policy | undefined>;
}

export function createPlanStore(
  pg: Pool,
  now: () => number,
  cacheMs: number,
  maxEntries: number,
): PlanStore {
  // TODO(tiers): read the key's plan (tables api_keys and plans, see the README) and cache it for
  //   cacheMs, so that a known key costs no Postgres round trip in steady state; hold at most
  //   maxEntries keys' plans, dropping the one read longest ago first.
  void [pg, now, cacheMs, maxEntries];
  throw new Error("not implemented: createPlanStore");
}
