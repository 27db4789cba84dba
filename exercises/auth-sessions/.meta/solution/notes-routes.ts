// Organisation-scoped notes (stage 6). Every query runs as the role that row-level security
// binds to the caller's organisation, and the routes check roles too: two locks, not one.
import { Router } from "express";
import type { Pool, PoolClient } from "pg";
import { authenticate, caller, fail, type Context } from "./context";
import { APP_ROLE } from "./schema";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NOTE = `id, body, author_id AS "authorId", organisation_id AS "organisationId"`;

/** Runs `work` in a transaction as APP_ROLE with app.organisation_id set (R6.4). */
async function asOrganisation<T>(
  pg: Pool,
  organisationId: string,
  work: (db: PoolClient) => Promise<T>,
): Promise<T> {
  const db = await pg.connect();
  try {
    await db.query("BEGIN");
    await db.query(`SET LOCAL ROLE ${APP_ROLE}`);
    await db.query(`SELECT set_config('app.organisation_id', $1, true)`, [organisationId]);
    const result = await work(db);
    await db.query("COMMIT");
    return result;
  } catch (error) {
    await db.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    db.release();
  }
}

const validBody = (body: unknown): body is string =>
  typeof body === "string" && body.length > 0 && body.length <= 10_000;

export function notesRoutes(ctx: Context): Router {
  const router = Router();
  router.use(["/notes", "/members"], authenticate(ctx));
  const scoped = <T>(res: Parameters<typeof caller>[0], work: (db: PoolClient) => Promise<T>) =>
    asOrganisation(ctx.pg, caller(res).user.organisationId, work);

  router.get("/notes", async (_req, res) => {
    const { rows } = await scoped(res, (db) =>
      db.query(`SELECT ${NOTE} FROM notes ORDER BY created_at, id`),
    );
    res.json({ notes: rows });
  });

  router.post("/notes", async (req, res) => {
    if (!validBody(req.body?.body)) return fail(res, 400, "invalid_request");
    const { user } = caller(res);
    const { rows } = await scoped(res, (db) =>
      db.query(
        `INSERT INTO notes (organisation_id, author_id, body) VALUES ($1, $2, $3) RETURNING ${NOTE}`,
        [user.organisationId, user.id, req.body.body],
      ),
    );
    res.status(201).json(rows[0]);
  });

  router.get("/notes/:id", async (req, res) => {
    if (!UUID.test(req.params.id)) return fail(res, 404, "not_found");
    const { rows } = await scoped(res, (db) =>
      db.query(`SELECT ${NOTE} FROM notes WHERE id = $1`, [req.params.id]),
    );
    return rows[0] ? res.json(rows[0]) : fail(res, 404, "not_found");
  });

  router.put("/notes/:id", async (req, res) => {
    if (!UUID.test(req.params.id)) return fail(res, 404, "not_found");
    if (!validBody(req.body?.body)) return fail(res, 400, "invalid_request");
    const { rows } = await scoped(res, (db) =>
      db.query(`UPDATE notes SET body = $2 WHERE id = $1 RETURNING ${NOTE}`, [
        req.params.id,
        req.body.body,
      ]),
    );
    return rows[0] ? res.json(rows[0]) : fail(res, 404, "not_found");
  });

  router.delete("/notes/:id", async (req, res) => {
    if (!UUID.test(req.params.id)) return fail(res, 404, "not_found");
    const { user } = caller(res);
    const outcome = await scoped(res, async (db) => {
      const { rows } = await db.query(`SELECT author_id FROM notes WHERE id = $1 FOR UPDATE`, [
        req.params.id,
      ]);
      if (!rows[0]) return 404;
      if (user.role !== "admin" && rows[0].author_id !== user.id) return 403;
      await db.query(`DELETE FROM notes WHERE id = $1`, [req.params.id]);
      return 204;
    });
    // Stryker disable next-line ConditionalExpression: fail() at 204 sends the same empty 204 (Express drops its body).
    if (outcome === 204) return res.status(204).end();
    return fail(res, outcome, outcome === 404 ? "not_found" : "forbidden");
  });

  router.put("/members/:id/role", async (req, res) => {
    const { user } = caller(res);
    if (user.role !== "admin") return fail(res, 403, "forbidden");
    const role = req.body?.role;
    if (role !== "admin" && role !== "member") return fail(res, 400, "invalid_request");
    if (!UUID.test(req.params.id)) return fail(res, 404, "not_found");
    const { rows } = await ctx.pg.query(
      `UPDATE users SET role = $1 WHERE id = $2 AND organisation_id = $3 RETURNING id, role`,
      [role, req.params.id, user.organisationId],
    );
    return rows[0] ? res.json(rows[0]) : fail(res, 404, "not_found");
  });

  return router;
}
