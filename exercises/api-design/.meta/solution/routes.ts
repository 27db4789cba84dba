import type { NextFunction, Request, Response } from "express";
import type { Pool, PoolClient } from "pg";
import { fingerprint, once, readKey, type StoredResponse } from "./idempotency";
import { listProjects } from "./listing";
import { etagFor, ifMatchVersions, noneMatch } from "./preconditions";
import { HttpProblem } from "./problem";
import { deleteProject, findProject, insertProject, replaceProject, type Stored } from "./projects";
import { validateProject } from "./validation";

export interface Deps {
  pg: Pool;
  now: () => Date;
  cursorSecret: string;
}

// Stryker disable next-line StringLiteral: prose: no rule words a problem's detail (R2.1 asks for a string)
const notFound = () => new HttpProblem(404, "No project has this id.");

export function projectRoutes({ pg, now, cursorSecret }: Deps) {
  const found = async (id: string) => (await findProject(pg, id)) ?? Promise.reject(notFound());
  const send = (res: Response, { project, version }: Stored, status = 200) =>
    res.status(status).set("ETag", etagFor(version)).json(project);

  return {
    async list(req: Request, res: Response) {
      const page = await listProjects(pg, req.query, cursorSecret);
      // RFC 8288: only rel="next"; a single (or last) page carries no Link at all.
      if (page.next) res.set("Link", `</projects?${page.next}>; rel="next"`);
      res.json({ items: page.items });
    },

    async create(req: Request, res: Response) {
      const key = readKey(req.get("idempotency-key"));
      const input = validateProject(req.body); // refused requests are not stored under the key
      const create = async (db: Pool | PoolClient): Promise<StoredResponse> => {
        const { project, version } = await insertProject(db, input, now());
        const headers = { Location: `/projects/${project.id}`, ETag: etagFor(version) };
        return { status: 201, headers, body: project };
      };
      const { response, replayed } = key
        ? // Stryker disable next-line StringLiteral: only POST /projects takes a key, so any constant method and path compare the same
          await once(pg, key, fingerprint("POST", "/projects", req.body), now(), create)
        : { response: await create(pg), replayed: false };
      if (replayed) res.set("Idempotent-Replayed", "true");
      res.status(response.status).set(response.headers).json(response.body);
    },

    async read(req: Request, res: Response) {
      const stored = await found(req.params.id as string);
      const etag = etagFor(stored.version);
      if (!noneMatch(req, etag)) return void res.status(304).set("ETag", etag).end();
      send(res, stored);
    },

    async replace(req: Request, res: Response) {
      const id = req.params.id as string;
      await found(id); // 404 outranks every precondition (RFC 9110 §13.2.1)
      const versions = ifMatchVersions(req);
      if (versions === undefined) {
        throw new HttpProblem(
          428,
          // Stryker disable next-line StringLiteral: prose: no rule words a problem's detail (R2.1 asks for a string)
          "Send If-Match with the ETag from your last GET of this project.",
        );
      }
      const input = validateProject(req.body);
      const updated = await replaceProject(pg, id, versions, input, now());
      if (!updated) {
        const stillThere = await findProject(pg, id);
        // Stryker disable next-line ConditionalExpression: untested: only a DELETE landing between found() and the UPDATE makes it 404 rather than 412, a window no test can hit on purpose
        if (!stillThere) throw notFound();
        throw new HttpProblem(
          412,
          // Stryker disable next-line StringLiteral: prose: no rule words a problem's detail (R2.1 asks for a string)
          "The project changed since the ETag in If-Match; GET it again and retry.",
        );
      }
      send(res, updated);
    },

    async remove(req: Request, res: Response) {
      const id = req.params.id as string;
      await found(id);
      if (!(await deleteProject(pg, id, ifMatchVersions(req)))) {
        // Stryker disable next-line ConditionalExpression: untested: only another DELETE landing between found() and this one makes it 404 rather than 412, a window no test can hit on purpose
        if (!(await findProject(pg, id))) throw notFound();
        // Stryker disable next-line StringLiteral: prose: no rule words a problem's detail (R2.1 asks for a string)
        throw new HttpProblem(412, "The project changed since the ETag in If-Match.");
      }
      res.status(204).end();
    },
  };
}

/** RFC 9110 §15.5.6: a 405 must list the methods the resource supports. */
export function methodNotAllowed(allow: string) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.method === "OPTIONS") return void res.status(204).set("Allow", allow).end();
    next(
      // Stryker disable next-line StringLiteral: prose: no rule words a problem's detail (R2.1 asks for a string)
      new HttpProblem(405, `${req.method} is not supported here.`, { headers: { Allow: allow } }),
    );
  };
}
