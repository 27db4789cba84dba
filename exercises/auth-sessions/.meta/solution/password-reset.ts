// Forgotten passwords per OWASP's Forgot Password Cheat Sheet: the same answer for every email,
// a random single-use token that expires, kept only as its SHA-256 (a database leak then hands
// out no usable token), and every session of the user ended by the reset.
import { createHash, randomBytes } from "node:crypto";
import { Router } from "express";
import { fail, type Context } from "./context";
import { hashPassword, normaliseEmail, passwordProblem } from "./passwords";

export const RESET_TOKEN_TTL_MS = 30 * 60_000;
const sha256 = (token: string) => createHash("sha256").update(token).digest("hex");

export function passwordResetRoutes(ctx: Context): Router {
  const router = Router();

  router.post("/password-reset", async (req, res) => {
    const email = normaliseEmail(req.body?.email);
    // What is not an address is looked up as NULL: no account, and the same answer.
    const { rows } = await ctx.pg.query(`SELECT id, email FROM users WHERE email = $1`, [email]);
    if (rows[0]) {
      const token = randomBytes(32).toString("base64url");
      await ctx.pg.query(
        `INSERT INTO password_resets (token_hash, user_id, expires_at) VALUES ($1, $2, $3)`,
        [sha256(token), rows[0].id, new Date(ctx.now() + RESET_TOKEN_TTL_MS)],
      );
      await ctx.sendResetEmail(rows[0].email, token);
    }
    res.status(202).json({});
  });

  router.post("/password-reset/confirm", async (req, res) => {
    const { token, password } = req.body ?? {};
    const problem = passwordProblem(password);
    if (problem) return fail(res, 400, problem);
    // Any string is looked up by its hash: a malformed one, like an unknown one, matches no row.
    if (typeof token !== "string") return fail(res, 400, "invalid_token");
    const passwordHash = await hashPassword(password, ctx.scrypt);
    // One statement spends the token and sets the password: of two concurrent uses, one wins.
    const { rows } = await ctx.pg.query(
      `WITH spent AS (
         UPDATE password_resets SET used_at = $2
         WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2
         RETURNING user_id)
       UPDATE users SET password_hash = $3 FROM spent WHERE users.id = spent.user_id
       RETURNING users.id, users.email`,
      [sha256(token), new Date(ctx.now()), passwordHash],
    );
    if (!rows[0]) return fail(res, 400, "invalid_token");
    // The user's other outstanding tokens die with this one (OWASP: a reset invalidates them).
    await ctx.pg.query(
      `UPDATE password_resets SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL`,
      [rows[0].id, new Date(ctx.now())],
    );
    await ctx.sessions.revokeAll(rows[0].id);
    await ctx.throttle.clear(rows[0].email);
    res.status(204).end();
  });

  return router;
}
