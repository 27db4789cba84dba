// The product API: reads through the Redis cache, writes to Postgres first and invalidate after
// the commit (RFC 9111 §4.4: a successful unsafe request invalidates the target URI).
import express, { type Express, type NextFunction, type Request, type Response } from "express";
import type { Redis } from "ioredis";
import { cacheControl, sendCacheable } from "./http-caching";
import { ListCache } from "./list-cache";
import { fromOrigin, OriginUnavailable } from "./origin-unavailable";
import type { ProductFields, ProductRepository } from "./product";
import { ProductCache } from "./product-cache";
import { readFields } from "./product-input";

export interface CacheOptions {
  ttlMs: number;
  jitterRatio: number;
  softTtlMs: number;
  negativeTtlMs: number;
  lockTtlMs: number;
}

export const DEFAULT_CACHE_OPTIONS: CacheOptions = {
  ttlMs: 60_000,
  jitterRatio: 0.1,
  softTtlMs: 30_000,
  negativeTtlMs: 5_000,
  lockTtlMs: 2_000,
};

export interface AppOptions extends Partial<CacheOptions> {
  redis: Redis;
  repository: ProductRepository;
  now?: () => number;
  random?: () => number;
}

const ID = /^[A-Za-z0-9_-]{1,64}$/; // no ":" so an id cannot reach another key (lock:..., products:...)
const CATEGORY = /^[a-z0-9-]{1,32}$/;

export function createApp(options: AppOptions): Express {
  const { redis, repository, now = Date.now, random = Math.random } = options;
  const config = { ...DEFAULT_CACHE_OPTIONS };
  for (const name of Object.keys(config) as (keyof CacheOptions)[])
    config[name] = options[name] ?? config[name];
  // Stryker disable next-line StringLiteral,CallExpression: ioredis only logs an "error" event no one listens to (silentEmit), it never throws: every answer stays the same
  redis.on("error", () => {}); // Redis down is handled per call; without a listener ioredis logs every retry
  const products = new ProductCache(redis, repository, config, now, random);
  const lists = new ListCache(redis, repository, config, random);
  const invalidate = (id: string) => Promise.all([products.invalidate(id), lists.invalidate()]);

  const app = express();
  app.set("etag", false); // ours is strong and computed the same way on every instance
  app.use(express.json({ limit: "16kb", strict: false })); // a bare JSON value reaches validation (422), only broken JSON is 400
  app.param("id", (req, res, next, id: string) =>
    ID.test(id) ? next() : problem(res, 400, "id must match [A-Za-z0-9_-]{1,64}"),
  );

  app.get("/products", async (req, res) => {
    const category = req.query.category;
    // Stryker disable next-line ConditionalExpression: RegExp#test reads a repeated category (an array) as "a,b", which the pattern refuses (no comma): the same 400
    if (category !== undefined && (typeof category !== "string" || !CATEGORY.test(category)))
      return problem(res, 400, "category must match [a-z0-9-]{1,32}");
    res.set("Cache-Control", cacheControl(config)).json({ items: await lists.read(category) });
  });

  app.get("/products/:id", async (req, res) => {
    const product = await products.read(req.params.id as string);
    if (!product) return problem(res, 404, `no product with id ${req.params.id}`);
    sendCacheable(req, res, product, config);
  });

  app.put("/products/:id", async (req, res) => {
    const fields = readFields(req.body, "all");
    if (typeof fields === "string") return problem(res, 422, fields);
    const { product, created } = await fromOrigin(() =>
      repository.put(req.params.id as string, fields as ProductFields),
    );
    await invalidate(product.id); // after the commit: a read in between can only see the new row
    res.status(created ? 201 : 200).json(product);
  });

  app.patch("/products/:id", async (req, res) => {
    // Stryker disable next-line StringLiteral: readFields only asks need === "all"; every other value is PATCH's "some"
    const fields = readFields(req.body, "some");
    if (typeof fields === "string") return problem(res, 422, fields);
    const product = await fromOrigin(() => repository.patch(req.params.id as string, fields));
    if (!product) return problem(res, 404, `no product with id ${req.params.id}`);
    await invalidate(product.id);
    res.json(product);
  });

  app.delete("/products/:id", async (req, res) => {
    if (!(await fromOrigin(() => repository.remove(req.params.id as string))))
      return problem(res, 404, `no product with id ${req.params.id}`);
    await invalidate(req.params.id as string);
    res.status(204).end();
  });

  app.use(
    (error: Error & { status?: number }, _req: Request, res: Response, _next: NextFunction) => {
      // The origin failed: a write that did not commit, or a read we could not serve. Nothing was cached.
      if (error instanceof OriginUnavailable)
        return problem(res, 503, "the product store is unavailable");
      // Express' and express.json's errors carry their status: 400 broken JSON or a malformed
      // percent-encoding, 413 a body over the limit (R2.8), 415 a charset express.json cannot read.
      // No other error reaches this handler: a failed Redis call is a miss, a failed origin call is above.
      const status = error.status ?? 500;
      // Stryker disable next-line ConditionalExpression,EqualityOperator,StringLiteral: only 4xx errors reach this line (above), and the words of a detail are prose no rule words: every variant answers a non-empty detail
      problem(res, status, status < 500 ? error.message : "internal error");
    },
  );
  return app;
}

function problem(res: Response, status: number, detail: string): void {
  res.status(status).type("application/problem+json").json({ status, detail });
}
