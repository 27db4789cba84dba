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
      if (error.status === 400 || error.status === 413)
        return problem(res, error.status, error.message);
      // The origin failed: a write that did not commit, or a read we could not serve. Nothing was cached.
      if (error instanceof OriginUnavailable)
        return problem(res, 503, "the product store is unavailable");
      problem(res, 500, "internal error");
    },
  );
  return app;
}

function problem(res: Response, status: number, detail: string): void {
  res.status(status).type("application/problem+json").json({ status, detail });
}
