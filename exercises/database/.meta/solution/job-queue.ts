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

export async function enqueue(
  pool: Pool,
  job: { type: string; payload?: unknown; runAt?: Date; maxAttempts?: number },
): Promise<number> {
  // Not the database's now(): it keeps microseconds, and a worker's clock reading a moment later,
  // cut to milliseconds, could still be earlier than it.
  const { rows } = await pool.query(
    "INSERT INTO jobs (type, payload, run_at, max_attempts) VALUES ($1, $2, $3, $4) RETURNING id",
    [job.type, JSON.stringify(job.payload ?? {}), job.runAt ?? new Date(), job.maxAttempts ?? 3],
  );
  return Number(rows[0].id);
}

/** Leases the next due job to this worker, or returns null when none is due. */
export async function claimJob(pool: Pool, options: WorkerOptions): Promise<Job | null> {
  const now = (options.now ?? (() => new Date()))();
  const leaseMs = options.leaseMs ?? 30_000;
  // One statement: pick and lease atomically. SKIP LOCKED lets concurrent workers pass over the
  // row another worker is leasing right now instead of queueing behind it; a job whose lease ran
  // out (its worker crashed) is due again.
  const { rows } = await pool.query(
    `UPDATE jobs SET attempts = attempts + 1, locked_by = $2, locked_until = $1::timestamptz + $3 * interval '1 ms'
      WHERE id = (
        SELECT id FROM jobs
         WHERE status = 'queued' AND run_at <= $1 AND (locked_until IS NULL OR locked_until <= $1)
         ORDER BY run_at, id
         LIMIT 1
         FOR UPDATE SKIP LOCKED)
      RETURNING id, type, payload, attempts, max_attempts`,
    [now, options.workerId, leaseMs],
  );
  const row = rows[0];
  if (!row) return null;
  return {
    id: Number(row.id),
    type: row.type,
    payload: row.payload,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
  };
}

/** Claims one job and runs `handler` on it; false when no job was due. */
export async function processNext(
  pool: Pool,
  handler: (job: Job) => Promise<void>,
  options: WorkerOptions,
): Promise<boolean> {
  const job = await claimJob(pool, options);
  if (!job) return false;
  // The handler runs outside any transaction: a slow job holds a lease, not a connection.
  let failure: unknown;
  try {
    await handler(job);
  } catch (error) {
    // Stryker disable next-line StringLiteral: the last_error of a handler that throws null or undefined is prose no rule words
    failure = error ?? new Error("job failed");
  }
  const now = (options.now ?? (() => new Date()))();
  const backoffMs = (options.backoffMs ?? 1000) * 2 ** (job.attempts - 1);
  // Guarded by locked_by: a worker whose lease was taken over must not settle the job.
  await pool.query(
    `UPDATE jobs SET locked_by = NULL, locked_until = NULL,
            status = CASE WHEN NOT $3 THEN 'done' WHEN attempts >= max_attempts THEN 'failed' ELSE 'queued' END,
            run_at = CASE WHEN $3 AND attempts < max_attempts THEN $4::timestamptz + $5 * interval '1 ms' ELSE run_at END,
            last_error = CASE WHEN $3 THEN $6 ELSE last_error END
      WHERE id = $1 AND locked_by = $2`,
    [
      job.id,
      options.workerId,
      failure !== undefined,
      now,
      backoffMs,
      // A thrown Error leaves its message; anything else thrown (never null: see above), its text.
      failure === undefined ? null : String((failure as Error).message ?? failure),
    ],
  );
  return true;
}
