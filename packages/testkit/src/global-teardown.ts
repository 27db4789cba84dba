import { removeScratch, RUN_SCRATCH_ENV } from "./learner/run-scratch";

/**
 * Jest global teardown: removes the run's scratch folder and ends the services global setup
 * started (nothing, if they were handed down; for warm services, only this run's lease).
 */
export default async function globalTeardown(): Promise<void> {
  const run = globalThis.__backendSandboxRun;
  globalThis.__backendSandboxRun = undefined;
  delete process.env[RUN_SCRATCH_ENV];
  if (!run) return;
  removeScratch(run.scratch, run.reaped);
  await run.services.dispose();
}
