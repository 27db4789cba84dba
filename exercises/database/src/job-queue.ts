// A job queue in Postgres for background work. Keep the exported names and signatures.
import type { Pool } from "pg";

export interface Job {
  id: number;
  type: string;
  payload: unknown;
  /** Attempts so far, this one included. */
  attempts: number;
  maxAttempts: number;
}

export interface WorkerOptions {
  workerId: string;
  /** The clock; every time the queue stores or compares comes from it. */
  now?: () => Date;
  /** How long a claim lasts; after that another worker may take the job. */
  leaseMs?: number;
  /** Delay before the retry after failed attempt n: backoffMs * 2^(n-1). */
  backoffMs?: number;
}

// TODO(job-queue): each job runs exactly once across workers, failures retry with backoff up to
// maxAttempts, and the job of a crashed worker is claimed again once its lease has run out.

export async function enqueue(
  pool: Pool,
  job: { type: string; payload?: unknown; runAt?: Date; maxAttempts?: number },
): Promise<number> {
  throw new Error("not implemented: enqueue");
}

/** Leases the next due job to this worker, or returns null when none is due. */
export async function claimJob(pool: Pool, options: WorkerOptions): Promise<Job | null> {
  throw new Error("not implemented: claimJob");
}

/** Claims one job and runs `handler` on it; false when no job was due. */
export async function processNext(
  pool: Pool,
  handler: (job: Job) => Promise<void>,
  options: WorkerOptions,
): Promise<boolean> {
  throw new Error("not implemented: processNext");
}
