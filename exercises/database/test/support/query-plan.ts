// Reads Postgres's plan for a query the code under test sent, with the same parameters.
import type { Pool } from "pg";
import type { SpiedQuery } from "./query-proxy";

export interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  "Actual Rows"?: number;
  "Actual Loops"?: number;
  "Rows Removed by Filter"?: number;
  Plans?: PlanNode[];
}

/** EXPLAIN (ANALYZE, FORMAT JSON): the query runs once, so row counts are real (timings are not used). */
export async function explain(pool: Pool, query: SpiedQuery): Promise<PlanNode> {
  const { rows } = await pool.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${query.text}`, query.values);
  return rows[0]["QUERY PLAN"][0].Plan as PlanNode;
}

export function planNodes(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(planNodes)];
}

/** Rows the plan read from `relation`: returned by its scans plus those its filters threw away. */
export function rowsRead(root: PlanNode, relation: string): number {
  return planNodes(root)
    .filter((node) => node["Relation Name"] === relation)
    .reduce(
      (sum, node) =>
        sum +
        ((node["Actual Rows"] ?? 0) + (node["Rows Removed by Filter"] ?? 0)) *
          (node["Actual Loops"] ?? 1),
      0,
    );
}

/** One line per node, e.g. "Limit > Index Scan on entries using entries_history", for messages. */
export function describePlan(root: PlanNode): string {
  return planNodes(root)
    .map(
      (n) =>
        `${n["Node Type"]}${n["Relation Name"] ? ` on ${n["Relation Name"]}` : ""}${n["Index Name"] ? ` using ${n["Index Name"]}` : ""}`,
    )
    .join(" > ");
}
