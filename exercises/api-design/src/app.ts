// You run the API of a small project tracker: clients create, read, replace, delete and page
// through projects stored in Postgres. Clients are generic HTTP tools, so the API must follow
// HTTP's own rules (status codes, problem details, Link, ETags, Idempotency-Key, OpenAPI).
//
// Keep the exported names and signatures: the tests call them (from a process of their own).
// Add files next to this one freely.
import type { Express } from "express";
import type { Pool } from "pg";

export interface AppOptions {
  /** The database. The tests hand you a pool (max 10 connections); several apps may share one database. */
  pg: Pool;
  /** Secret for signing pagination cursors; every app instance of one test gets the same one. */
  cursorSecret: string;
  /** The clock: use it for createdAt, updatedAt and Idempotency-Key expiry. Default: real time. */
  now?: () => Date;
  /** Where unexpected errors are reported (never to the client). Default: console.error. */
  onError?: (error: unknown) => void;
}

/** Creates the tables the app needs. Must be safe to call more than once. */
export async function migrate(pg: Pool): Promise<void> {
  throw new Error("not implemented: migrate");
}

/** Builds the Express app. The tests serve it on a real port and call it with fetch. */
export function createApp(options: AppOptions): Express {
  // TODO(resources): POST/GET/PUT/DELETE /projects[/:id] with 201 + Location, 404, 204, 405 + Allow, 415, 400.
  // TODO(errors): every error as application/problem+json (RFC 9457); 422 with errors[].pointer per field.
  // TODO(pagination): GET /projects: keyset pagination, signed opaque cursor, Link rel="next", filters, sort.
  // TODO(conditional-requests): strong ETags, If-None-Match -> 304, If-Match -> 412, missing If-Match on PUT -> 428.
  // TODO(idempotency): POST /projects with Idempotency-Key replays the first response; another payload -> 422.
  // TODO(contract): serve GET /openapi.json (OpenAPI 3.1) that every response conforms to.
  throw new Error("not implemented: createApp");
}
