import type { Pool } from "pg";
import { decodeCursor, encodeCursor } from "./cursor";
import { HttpProblem } from "./problem";
import { toStored, type Project } from "./projects";
import { STATUSES } from "./validation";

export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 50;
const SORTS: Record<string, { column: string; field: "createdAt" | "name"; desc: boolean }> = {
  "-createdAt": { column: "created_at", field: "createdAt", desc: true },
  createdAt: { column: "created_at", field: "createdAt", desc: false },
  "-name": { column: "name", field: "name", desc: true },
  name: { column: "name", field: "name", desc: false },
};

export interface Page {
  items: Project[];
  next?: URLSearchParams; // the query string of the next page, absent on the last one
}

/**
 * Keyset pagination: each page starts strictly after the (sort value, id) of the previous page's
 * last row. Unlike OFFSET, rows inserted or deleted elsewhere do not shift what comes next, and
 * the id tie-breaker makes the order total even when many rows share a sort value.
 */
export async function listProjects(
  pool: Pool,
  query: Record<string, unknown>,
  secret: string,
): Promise<Page> {
  const { sort = "-createdAt", status, priority, limit, cursor } = query;
  // A parameter given twice arrives as an array, which none of these accepts.
  const valid: Record<string, boolean> = {
    sort: Object.hasOwn(SORTS, String(sort)), // not `in`: "toString" is in every object
    status: status === undefined || STATUSES.includes(status as never),
    priority: priority === undefined || /^[1-5]$/.test(String(priority)),
    limit: limit === undefined || /^[1-9]\d*$/.test(String(limit)),
    cursor: cursor === undefined || typeof cursor === "string",
  };
  for (const [name, ok] of Object.entries(valid))
    // Stryker disable next-line StringLiteral: prose: no rule words a problem's detail (R2.1 asks for a string)
    if (!ok) throw new HttpProblem(400, `The query parameter "${name}" is invalid.`);
  const pageSize = Math.min(Number(limit ?? DEFAULT_LIMIT), MAX_LIMIT); // larger limits are clamped

  const order = SORTS[sort as string]!;
  const filters = new URLSearchParams({ sort: sort as string });
  if (status !== undefined) filters.set("status", status as string);
  if (priority !== undefined) filters.set("priority", priority as string);

  const where = ["($1::text IS NULL OR status = $1)", "($2::int IS NULL OR priority = $2)"];
  const values: unknown[] = [status ?? null, priority ?? null];
  if (cursor !== undefined) {
    const { after } = decodeCursor(cursor as string, secret, filters.toString());
    where.push(`(${order.column}, id) ${order.desc ? "<" : ">"} ($3, $4)`);
    values.push(...after);
  }
  // Stryker disable next-line StringLiteral: Postgres sorts ascending when no direction is given (the DESC mutant, caught, shares the line)
  const direction = order.desc ? "DESC" : "ASC";
  const { rows } = await pool.query(
    `SELECT * FROM projects WHERE ${where.join(" AND ")}
      ORDER BY ${order.column} ${direction}, id ${direction} LIMIT ${pageSize + 1}`,
    values,
  );
  const items = rows.slice(0, pageSize).map((row) => toStored(row).project);
  if (rows.length <= pageSize) return { items };

  const last = items[items.length - 1]!;
  const next = new URLSearchParams(filters);
  next.set("limit", String(pageSize));
  next.set(
    "cursor",
    encodeCursor({ query: filters.toString(), after: [last[order.field], last.id] }, secret),
  );
  return { items, next };
}
