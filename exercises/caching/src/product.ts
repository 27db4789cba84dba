// The catalog's data and the origin your cache sits in front of. Given: do not change this file.
// Tests hand your app a ProductRepository backed by Postgres (test/support/product-repository.ts),
// wrapped so they can count every call that reaches the origin.

export interface Product {
  id: string;
  name: string;
  category: string;
  priceCents: number;
  /** Starts at 1 and goes up by one on every write to the row (Postgres keeps it). */
  version: number;
}

/** What a client may write: everything but the id (in the URL) and the version (kept by Postgres). */
export type ProductFields = Omit<Product, "id" | "version">;

export interface ProductRepository {
  /** The product, or null when no row has this id. Deliberately slow: this is the origin. */
  findById(id: string): Promise<Product | null>;
  /** Every product (of one category if given), sorted by id. */
  list(filter: { category?: string }): Promise<Product[]>;
  /** Creates or replaces the row; resolves once the transaction has committed. */
  put(id: string, fields: ProductFields): Promise<{ product: Product; created: boolean }>;
  /** Changes some fields; null when the row does not exist. Resolves after the commit. */
  patch(id: string, fields: Partial<ProductFields>): Promise<Product | null>;
  /** Deletes the row; false when it did not exist. Resolves after the commit. */
  remove(id: string): Promise<boolean>;
}
