// The origin handed to the learner: products in Postgres, behind a deliberately slow read.
// Tests build it, wrap it (see origin.ts) and pass the wrapper to createApp as `repository`.
import { setTimeout as sleep } from "node:timers/promises";
import type { Pool } from "pg";
import type { Product, ProductFields, ProductRepository } from "#src/product";

export interface PgProductRepositoryOptions {
  /** Added to every read, to make the origin slow enough for requests to overlap. */
  delayMs?: number;
  /** Runs after a read has its rows and before it returns (tests hold a read here). */
  afterRead?: () => Promise<void>;
  /** Runs inside a write's transaction just before COMMIT (tests hold a write here). */
  beforeCommit?: () => Promise<void>;
}

const COLUMNS = 'id, name, category, price_cents AS "priceCents", version';

export class PgProductRepository implements ProductRepository {
  constructor(
    private readonly pool: Pool,
    private readonly options: PgProductRepositoryOptions = {},
  ) {}

  async migrate(): Promise<void> {
    await this.pool.query(`CREATE TABLE IF NOT EXISTS products (
      id text PRIMARY KEY, name text NOT NULL, category text NOT NULL,
      price_cents integer NOT NULL CHECK (price_cents >= 0), version integer NOT NULL DEFAULT 1)`);
  }

  async findById(id: string): Promise<Product | null> {
    await sleep(this.options.delayMs ?? 0);
    const { rows } = await this.pool.query<Product>(
      `SELECT ${COLUMNS} FROM products WHERE id = $1`,
      [id],
    );
    await this.options.afterRead?.();
    return rows[0] ?? null;
  }

  async list(filter: { category?: string }): Promise<Product[]> {
    await sleep(this.options.delayMs ?? 0);
    const { rows } = await this.pool.query<Product>(
      `SELECT ${COLUMNS} FROM products WHERE $1::text IS NULL OR category = $1 ORDER BY id COLLATE "C"`,
      [filter.category ?? null],
    );
    await this.options.afterRead?.();
    return rows;
  }

  put(id: string, fields: ProductFields): Promise<{ product: Product; created: boolean }> {
    return this.write(async (query) => {
      const { rows } = await query(
        `INSERT INTO products (id, name, category, price_cents) VALUES ($1, $2, $3, $4)
        ON CONFLICT (id) DO UPDATE SET name = $2, category = $3, price_cents = $4, version = products.version + 1
        RETURNING ${COLUMNS}, (xmax = 0) AS created`,
        [id, fields.name, fields.category, fields.priceCents],
      );
      const { created, ...product } = rows[0] as Product & { created: boolean };
      return { product, created };
    });
  }

  patch(id: string, fields: Partial<ProductFields>): Promise<Product | null> {
    return this.write(async (query) => {
      const { rows } = await query(
        `UPDATE products SET name = COALESCE($2, name), category = COALESCE($3, category),
        price_cents = COALESCE($4, price_cents), version = version + 1 WHERE id = $1 RETURNING ${COLUMNS}`,
        [id, fields.name ?? null, fields.category ?? null, fields.priceCents ?? null],
      );
      return (rows[0] as Product | undefined) ?? null;
    });
  }

  remove(id: string): Promise<boolean> {
    return this.write(
      async (query) => (await query("DELETE FROM products WHERE id = $1", [id])).rowCount === 1,
    );
  }

  /** One transaction per write; the hook runs after the change and before it becomes visible. */
  private async write<T>(
    work: (
      query: (
        sql: string,
        values: unknown[],
      ) => Promise<{ rows: unknown[]; rowCount: number | null }>,
    ) => Promise<T>,
  ): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      const result = await work((sql, values) => client.query(sql, values));
      await this.options.beforeCommit?.();
      await client.query("COMMIT");
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }
}
