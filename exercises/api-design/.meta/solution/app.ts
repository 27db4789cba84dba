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
  // Express's ETags are weak; ours are strong and versioned.
  // Stryker disable next-line CallExpression,StringLiteral,BooleanLiteral: Express's weak tags would land only on answers that carry no project (lists, problems), where no rule asks for or forbids one: every project answer sets its strong tag first
  app.set("etag", false);
  // Stryker disable next-line CallExpression,StringLiteral,BooleanLiteral: prose: no rule names X-Powered-By
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
    // Stryker disable next-line StringLiteral: prose: no rule words a problem's detail (R2.1 asks for a string)
    throw new HttpProblem(404, `Nothing lives at ${req.path}.`);
  });
  app.use(problemHandler(onError));
  return app;
}

// 415 before parsing: only application/json (any parameters) is accepted, with or without a body.
// Stryker disable next-line ObjectLiteral: body-parser's default limit is the same 100kb (102,400 bytes)
const parseJson = express.json({ limit: "100kb" });
function requireJson(req: Request, res: Response, next: NextFunction) {
  if (req.is("application/json") !== "application/json") {
    return next(
      // Stryker disable next-line StringLiteral,ObjectLiteral: prose: no rule words the detail, nor names the Accept header a 415 may carry
      new HttpProblem(415, "Send the body as application/json.", {
        // Stryker disable next-line ObjectLiteral,StringLiteral: no rule names the Accept header a 415 may carry (RFC 9110 leaves it optional)
        headers: { Accept: "application/json" },
      }),
    );
  }
  parseJson(req, res, next);
}
