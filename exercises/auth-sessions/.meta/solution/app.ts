// Accounts for a small SaaS app: sign-up, login and sessions that hold up against the attacks
// every public login page meets. See the README for the rules each route follows.
import express, { type Express, type NextFunction, type Request, type Response } from "express";
import type { Pool } from "pg";
import { accountRoutes } from "./account-routes";
import { fail, UNSAFE_METHODS, type Context } from "./context";
import { LoginThrottle } from "./login-throttle";
import { notesRoutes } from "./notes-routes";
import { DEFAULT_SCRYPT } from "./passwords";
import { passwordResetRoutes } from "./password-reset";
import { ROW_LEVEL_SECURITY, SCHEMA } from "./schema";
import { sessionRoutes } from "./session-routes";
import { SessionStore } from "./sessions";
import type { AppOptions } from "./types";

export type { AppOptions, ScryptParams } from "./types";

/** Creates the tables of the README's interface and the row-level security of R6.4. */
export async function migrate(pg: Pool): Promise<void> {
  await pg.query(SCHEMA);
  await pg.query(ROW_LEVEL_SECURITY);
}

export function createApp(options: AppOptions): Express {
  const now = options.now ?? Date.now;
  const onError = options.onError ?? console.error;
  const ctx: Context = {
    ...options,
    now,
    scrypt: options.scrypt ?? DEFAULT_SCRYPT,
    sessions: new SessionStore(options.redis, now),
    throttle: new LoginThrottle(options.redis, now),
  };
  const app = express();
  // Stryker disable next-line StringLiteral,CallExpression: hardening no rule names (the header says "Express").
  app.disable("x-powered-by");
  // The load balancer in front (the tests, on loopback) names the client in X-Forwarded-For (R3.4).
  app.set("trust proxy", "loopback");
  // A state change must come from the app's own pages (R4.1), with or without a session.
  app.use((req, res, next) => {
    if (UNSAFE_METHODS.has(req.method) && req.get("origin") !== ctx.origin)
      return fail(res, 403, "csrf");
    next();
  });
  // R1.8: 64 KiB holds the largest note (R6.1: 10,000 characters, 3 bytes each in UTF-8).
  app.use(express.json({ limit: "64kb" }));
  app.use(accountRoutes(ctx), passwordResetRoutes(ctx), notesRoutes(ctx), sessionRoutes(ctx));
  app.use((_req, res) => fail(res, 404, "not_found"));
  app.use((error: { status?: number }, _req: Request, res: Response, _next: NextFunction) => {
    // A client error (4xx): a body Express could not parse, a path it could not decode (R1.8).
    if (String(error.status).startsWith("4")) return fail(res, error.status!, "invalid_request");
    onError(error);
    fail(res, 500, "internal");
  });
  return app;
}
