// The worker as a process of its own: a supervisor (systemd, Kubernetes) starts it and stops it
// with SIGTERM. Keep the exported names and signatures.
import type { WorkerOptions } from "./types";

export interface RunOptions extends WorkerOptions {
  /** After SIGTERM, the process exits within this many ms, finished or not; default 10000. */
  shutdownMs?: number;
}

/** Starts a worker in this process; resolves once it runs. */
export async function runWorker(_options: RunOptions): Promise<void> {
  // TODO(backpressure-and-shutdown): on SIGTERM, stop the worker, then exit; exit anyway at the deadline.
  throw new Error("not implemented: runWorker");
}
