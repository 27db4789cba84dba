// Accounts for a small SaaS app run as several instances behind a load balancer: sign-up, login,
// logout and password reset, users in Postgres, sessions in Redis, safe from the attacks every
// public login page meets. The README's rules say what each route answers.
//
// Keep the exported names and signatures: the tests call them (from a process of their own).
// Add files next to this one freely; breached-passwords.ts is provided.
import type { Express } from "express";
import type { Pool } from "pg";
import type { AppOptions } from "./types";

export type { AppOptions, ScryptParams } from "./types";

/** Creates the tables of the README's interface (and, for stage 6, row-level security). Safe to call twice. */
export async function migrate(_pg: Pool): Promise<void> {
  throw new Error("not implemented: migrate");
}

/** Builds the Express app. The tests serve it on a real port, several instances on one Redis and Postgres. */
export function createApp(_options: AppOptions): Express {
  // TODO(passwords): POST /signup: scrypt hashes, unique emails, NIST password policy; POST /login without enumeration.
  // TODO(sessions): opaque session id in a HttpOnly Secure SameSite cookie, sessions in Redis, timeouts, POST /logout, GET /me.
  // TODO(brute-force): throttle failed logins per account and per client address in Redis; 429 + Retry-After.
  // TODO(csrf): state changes need a matching Origin and the session's X-CSRF-Token.
  // TODO(password-reset): POST /password-reset and /password-reset/confirm: hashed, single-use, expiring tokens.
  // TODO(authorization): organisation-scoped /notes with row-level security; 404 across organisations.
  // TODO(sessions-management): GET /sessions, DELETE /sessions/:id, DELETE /sessions; role changes apply at once.
  throw new Error("not implemented: createApp");
}
