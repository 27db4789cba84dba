import { randomUUID } from "node:crypto";
import type { Pool, PoolClient } from "pg";
import type { ProjectInput } from "./validation";

export interface Project extends ProjectInput {
  id: string;
  createdAt: string;
  updatedAt: string;
}
export interface Stored {
  project: Project;
  version: number;
}
type Db = Pool | PoolClient;

const COLUMNS = "id, name, status, priority, tags, version, created_at, updated_at";
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- pg returns untyped rows
export function toStored(row: Record<string, any>): Stored {
  const { id, name, status, priority, tags, version, created_at, updated_at } = row;
  const project = {
    id,
    name,
    status,
    priority,
    tags,
    createdAt: created_at.toISOString(),
    updatedAt: updated_at.toISOString(),
  };
  return { project, version };
}

export async function insertProject(db: Db, input: ProjectInput, now: Date): Promise<Stored> {
  const { rows } = await db.query(
    `INSERT INTO projects (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, 1, $6, $6) RETURNING ${COLUMNS}`,
    [randomUUID(), input.name, input.status, input.priority, JSON.stringify(input.tags), now],
  );
  return toStored(rows[0]);
}

export async function findProject(db: Db, id: string): Promise<Stored | undefined> {
  // A malformed id cannot name a project; checking here keeps Postgres' cast error (a 500) away.
  if (!UUID.test(id)) return undefined;
  const { rows } = await db.query(`SELECT ${COLUMNS} FROM projects WHERE id = $1`, [id]);
  return rows[0] && toStored(rows[0]);
}

/**
 * Replaces the project only if its version is one the client's If-Match named ("*": any).
 * The check and the write are one statement, so of two writers holding the same ETag exactly
 * one matches; the other finds the version already moved on.
 */
export async function replaceProject(
  db: Db,
  id: string,
  versions: "*" | number[],
  input: ProjectInput,
  now: Date,
) {
  const { rows } = await db.query(
    `UPDATE projects SET name = $3, status = $4, priority = $5, tags = $6, version = version + 1, updated_at = $7
      WHERE id = $1 AND ($2::int[] IS NULL OR version = ANY($2)) RETURNING ${COLUMNS}`,
    [
      id,
      versions === "*" ? null : versions,
      input.name,
      input.status,
      input.priority,
      JSON.stringify(input.tags),
      now,
    ],
  );
  return rows[0] ? toStored(rows[0]) : undefined;
}

export async function deleteProject(
  db: Db,
  id: string,
  versions: "*" | number[] | undefined,
): Promise<boolean> {
  const { rowCount } = await db.query(
    `DELETE FROM projects WHERE id = $1 AND ($2::int[] IS NULL OR version = ANY($2))`,
    [id, versions === "*" ? null : versions], // pg sends undefined (no If-Match) as NULL
  );
  return rowCount === 1;
}
