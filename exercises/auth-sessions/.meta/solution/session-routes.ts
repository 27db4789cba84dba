// The caller's own sessions (stage 7): see them, end one, end them all.
import { Router } from "express";
import { authenticate, caller, clearedCookie, fail, type Context } from "./context";

export function sessionRoutes(ctx: Context): Router {
  const router = Router();
  router.use("/sessions", authenticate(ctx));

  router.get("/sessions", async (_req, res) => {
    const { user, session: current } = caller(res);
    const sessions = await ctx.sessions.list(user.id);
    res.json({
      sessions: sessions.map((s) => ({
        id: s.handle,
        createdAt: new Date(s.createdAt).toISOString(),
        lastSeenAt: new Date(s.lastSeenAt).toISOString(),
        current: s.handle === current.handle,
      })),
    });
  });

  router.delete("/sessions/:id", async (req, res) => {
    const { user, session: current } = caller(res);
    // Only the caller's own live sessions: another user's handle is as unknown as a made-up one.
    const target = (await ctx.sessions.list(user.id)).find((s) => s.handle === req.params.id);
    if (!target) return fail(res, 404, "not_found");
    await ctx.sessions.revoke(target);
    if (target.handle === current.handle) res.set("Set-Cookie", clearedCookie());
    res.status(204).end();
  });

  router.delete("/sessions", async (_req, res) => {
    await ctx.sessions.revokeAll(caller(res).user.id);
    res.set("Set-Cookie", clearedCookie()).status(204).end();
  });

  return router;
}
