// WRONG (plan-per-request): every request reads its plan from Postgres; nothing is cached.
import type { Pool } from "pg";
import type { Algorithm, Policy } from "#src/app";

export interface PlanStore {
  planFor(apiKey: string): Promise<Policy | undefined>;
}

export function createPlanStore(pg: Pool, _now: () => number, _cacheMs: number): PlanStore {
  return {
    async planFor(apiKey) {
      const { rows } = await pg.query<{ name: string; algorithm: Algorithm; request_limit: number; window_seconds: number }>(
        `SELECT p.name, p.algorithm, p.request_limit, p.window_seconds
           FROM api_keys k JOIN plans p ON p.name = k.plan
          WHERE k.api_key = $1`,
        [apiKey],
      );
      const row = rows[0];
      return row && { name: row.name, algorithm: row.algorithm, limit: row.request_limit, windowSeconds: row.window_seconds };
    },
  };
}
