// The worker as a process: started by a supervisor, stopped with SIGTERM.
import { createWorker } from "./worker";
import type { WorkerOptions } from "./types";

export interface RunOptions extends WorkerOptions {
  /** After SIGTERM, the process exits within this many ms, finished or not; default 10000. */
  shutdownMs?: number;
}

/** Starts a worker in this process; on SIGTERM it stops it and exits (R7.4, R7.5). */
export async function runWorker(options: RunOptions): Promise<void> {
  const { shutdownMs = 10_000, ...workerOptions } = options;
  const worker = createWorker(workerOptions);
  await worker.start();
  process.once("SIGTERM", () => {
    // Past the deadline, exit anyway: what is still held stays pending for another worker.
    setTimeout(() => process.exit(1), shutdownMs).unref();
    worker.stop().then(
      () => process.exit(0),
      // Stryker disable next-line ArrowFunction: equivalent, stop() never rejects (the loop catches every round's error); the deadline timer exits with 1 anyway
      () => process.exit(1),
    );
  });
}
