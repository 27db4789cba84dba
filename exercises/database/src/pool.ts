// The service's connection pool. Keep the exported name and signature.
import type { Pool } from "pg";

export function createPool(connectionString: string): Pool {
  // TODO(safety): a bounded pool whose callers give up quickly when every connection is busy.
  throw new Error("not implemented: createPool");
}
