// Sign-up, login, logout and the caller's own account (stages 1 to 3).
import { randomUUID } from "node:crypto";
import { Router } from "express";
import {
  authenticate,
  caller,
  clearedCookie,
  fail,
  sessionCookie,
  sessionIdOf,
  type Context,
} from "./context";
import { hashPassword, normaliseEmail, passwordProblem, verifyPassword } from "./passwords";

export function accountRoutes(ctx: Context): Router {
  const router = Router();
  // Verified against when the email is unknown, so that both failures take the same path (R1.6).
  let decoy: Promise<string> | undefined;

  router.post("/signup", async (req, res) => {
    const { email: given, password } = req.body ?? {};
    const email = normaliseEmail(given);
    if (!email) return fail(res, 400, "invalid_email");
    const problem = passwordProblem(password);
    if (problem) return fail(res, 400, problem);
    const passwordHash = await hashPassword(password, ctx.scrypt);
    // The organisation and its admin in one transaction, the unique email deciding races; a
    // sign-up that loses one leaves no organisation behind.
    const db = await ctx.pg.connect();
    let rows;
    try {
      await db.query("BEGIN");
      ({ rows } = await db.query(
        `WITH organisation AS (INSERT INTO organisations (name) VALUES ($1) RETURNING id)
         INSERT INTO users (email, password_hash, organisation_id, role)
         SELECT $1, $2, id, 'admin' FROM organisation
         ON CONFLICT (email) DO NOTHING RETURNING id, email`,
        [email, passwordHash],
      ));
      await db.query(rows.length ? "COMMIT" : "ROLLBACK");
    } catch (error) {
      await db.query("ROLLBACK").catch(() => {});
      throw error;
    } finally {
      db.release();
    }
    if (rows.length === 0) return fail(res, 409, "email_taken");
    res.status(201).json(rows[0]);
  });

  router.post("/login", async (req, res) => {
    const { email: given, password } = req.body ?? {};
    if (typeof given !== "string" || typeof password !== "string")
      return fail(res, 400, "invalid_request");
    const email = given.trim().toLowerCase();
    const address = req.ip!; // always known for a request over TCP
    const waitMs = await ctx.throttle.attempt(email, address);
    if (waitMs > 0) {
      res.set("Retry-After", String(Math.ceil(waitMs / 1000)));
      return fail(res, 429, "too_many_attempts");
    }
    const { rows } = await ctx.pg.query(
      `SELECT id, email, password_hash FROM users WHERE email = $1`,
      [email],
    );
    const user = rows[0];
    decoy ??= hashPassword(randomUUID(), ctx.scrypt);
    const valid = await verifyPassword(password, user?.password_hash ?? (await decoy));
    if (!user || !valid) {
      await ctx.throttle.failed(email, address);
      return fail(res, 401, "invalid_credentials");
    }
    await ctx.throttle.succeeded(email, address);
    // Never keep an id the client brought (session fixation, R2.5): the old session ends here.
    const previous = await ctx.sessions.use(sessionIdOf(req));
    if (previous) await ctx.sessions.revoke(previous);
    const { id, session } = await ctx.sessions.create(user.id);
    res.set("Set-Cookie", sessionCookie(id));
    res.json({ id: user.id, email: user.email, csrfToken: session.csrfToken });
  });

  router.post("/logout", authenticate(ctx), async (_req, res) => {
    await ctx.sessions.revoke(caller(res).session);
    res.set("Set-Cookie", clearedCookie()).status(204).end();
  });

  router.get("/me", authenticate(ctx), (_req, res) => {
    const { user, session } = caller(res);
    res.json({ ...user, csrfToken: session.csrfToken });
  });

  return router;
}
