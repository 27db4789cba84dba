import { rmSync } from "node:fs";
import { RUN_SCRATCH_ENV } from "./learner/run-scratch";
import { Reaper } from "./reaper";

/** Jest global teardown: ends the services global setup started (nothing, if they were handed down) and removes the run's scratch folder. */
export default async function globalTeardown(): Promise<void> {
  const run = globalThis.__backendSandboxServices;
  globalThis.__backendSandboxServices = undefined;
  const scratch = process.env[RUN_SCRATCH_ENV];
  if (scratch) {
    rmSync(scratch, { recursive: true, force: true });
    Reaper.forThisProcess().untrack({ dir: scratch });
  }
  delete process.env[RUN_SCRATCH_ENV];
  await run?.dispose();
}
