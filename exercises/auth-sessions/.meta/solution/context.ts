// What every route shares, and the middleware that turns a session cookie into a user.
import { timingSafeEqual } from "node:crypto";
import type { NextFunction, Request, Response } from "express";
import type { Redis } from "ioredis";
import type { Pool } from "pg";
import type { LoginThrottle } from "./login-throttle";
import type { Session, SessionStore } from "./sessions";
import type { ScryptParams } from "./types";

export interface Context {
  pg: Pool;
  redis: Redis;
  origin: string;
  now: () => number;
  scrypt: ScryptParams;
  sessions: SessionStore;
  throttle: LoginThrottle;
  sendResetEmail: (email: string, token: string) => Promise<void> | void;
}

export interface User {
  id: string;
  email: string;
  organisationId: string;
  role: "admin" | "member";
}

export const COOKIE = "sid";
// RFC 6265bis §4.1: HttpOnly keeps it from scripts, Secure from plain HTTP, SameSite=Lax from
// most cross-site requests; Path=/ so that every route sees it.
const ATTRIBUTES = "Path=/; HttpOnly; Secure; SameSite=Lax";
export const sessionCookie = (id: string) => `${COOKIE}=${id}; ${ATTRIBUTES}`;
export const clearedCookie = () => `${COOKIE}=; Max-Age=0; ${ATTRIBUTES}`;

export const fail = (res: Response, status: number, error: string) =>
  res.status(status).json({ error });

export const UNSAFE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** The first `sid` of the Cookie header. */
export function sessionIdOf(req: Request): string | undefined {
  // Stryker disable next-line StringLiteral: without a Cookie header any text holding no `sid=` pair does as "".
  for (const pair of (req.get("cookie") ?? "").split(";")) {
    const [name, ...value] = pair.trim().split("=");
    if (name === COOKIE) return value.join("=");
  }
  return undefined;
}

/** The caller as the database knows them now: a role change shows on the next request (R7.4). */
export async function userById(pg: Pool, id: string): Promise<User | undefined> {
  const { rows } = await pg.query(
    `SELECT id, email, organisation_id AS "organisationId", role FROM users WHERE id = $1`,
    [id],
  );
  return rows[0];
}

export interface Authenticated {
  session: Session;
  user: User;
}
export const caller = (res: Response) => res.locals as Authenticated;

/** 401 without a live session (R2.2); 403 for a state change without its CSRF token (R4.2). */
export function authenticate(ctx: Context) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const session = await ctx.sessions.use(sessionIdOf(req));
    const user = session && (await userById(ctx.pg, session.userId));
    if (!session || !user) return fail(res, 401, "unauthenticated");
    if (UNSAFE_METHODS.has(req.method) && !sameSecret(req.get("x-csrf-token"), session.csrfToken))
      return fail(res, 403, "csrf");
    Object.assign(res.locals, { session, user });
    next();
  };
}

/** Compared in constant time (R4.4): the time taken tells nothing of how much of a guess is right. */
function sameSecret(given: string | undefined, expected: string): boolean {
  // Stryker disable next-line StringLiteral: a missing secret is refused as any other wrong one is.
  const a = Buffer.from(given ?? "");
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
