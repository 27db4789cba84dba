// Reference solution: a projects API on Postgres that follows HTTP's own rules.
import express, { type Express, type NextFunction, type Request, type Response } from "express";
import type { Pool } from "pg";
import openapi from "./openapi.json";
import { HttpProblem, problemHandler } from "./problem";
import { methodNotAllowed, projectRoutes } from "./routes";

export { migrate } from "./schema";

export interface AppOptions {
  pg: Pool;
  cursorSecret: string;
  now?: () => Date;
  onError?: (error: unknown) => void;
}

export function createApp({
  pg,
  cursorSecret,
  now = () => new Date(),
  onError = console.error,
}: AppOptions): Express {
  const app = express();
  app.set("etag", false); // Express's ETags are weak; ours are strong and versioned
  app.set("x-powered-by", false);
  const routes = projectRoutes({ pg, now, cursorSecret });

  app.get("/openapi.json", (_req, res) => void res.json(openapi));
  app
    .route("/projects")
    .get(routes.list)
    .post(requireJson, routes.create)
    .all(methodNotAllowed("GET, HEAD, POST, OPTIONS"));
  app
    .route("/projects/:id")
    .get(routes.read)
    .put(requireJson, routes.replace)
    .delete(routes.remove)
    .all(methodNotAllowed("GET, HEAD, PUT, DELETE, OPTIONS"));

  app.use((req: Request) => {
    throw new HttpProblem(404, `Nothing lives at ${req.path}.`);
  });
  app.use(problemHandler(onError));
  return app;
}

// 415 before parsing: only application/json (any parameters) is accepted, with or without a body.
const parseJson = express.json({ limit: "100kb" });
function requireJson(req: Request, res: Response, next: NextFunction) {
  if (req.is("application/json") !== "application/json") {
    return next(
      new HttpProblem(415, "Send the body as application/json.", {
        headers: { Accept: "application/json" },
      }),
    );
  }
  parseJson(req, res, next);
}
