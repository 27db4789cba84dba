// Moving money between accounts. Keep the exported names and signatures: the tests import them.
import type { Pool } from "pg";

export interface TransferRequest {
  from: number;
  to: number;
  amount: number;
  /** The client's idempotency key: a retry with the same reference applies once. */
  reference?: string;
}

export interface Transfer {
  id: number;
  reference: string | null;
  fromAccountId: number;
  toAccountId: number;
  amount: number;
  createdAt: Date;
}

/**
 * Moves `amount` from one account to another: debits, credits, records the transfer and its two
 * entries, all or nothing. Throws ValidationError, NotFoundError, InsufficientFundsError or
 * ConflictError (see errors.ts and the README).
 */
export async function transfer(pool: Pool, request: TransferRequest): Promise<Transfer> {
  // TODO(transfers): atomic, correct under 200 concurrent transfers, no deadlock reaching the caller.
  // TODO(idempotent-writes): a reference already used returns the original transfer, applied once.
  throw new Error("not implemented: transfer");
}
