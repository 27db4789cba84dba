import { createRunScratch, RUN_SCRATCH_ENV } from "./learner/run-scratch";
import { redact } from "./readiness";
import { Reaper } from "./reaper";
import { sharedServicesEnv, startSharedServices, type StartedServices } from "./shared-services";

declare global {
  var __backendSandboxServices: StartedServices | undefined;
}

/**
 * Jest global setup: starts Redis and Postgres once per run and hands their URLs to the test
 * workers through the environment. Services a parent (the grader) already handed down are used
 * as they are, and nothing starts here. Makes the run's scratch folder too (run-scratch.ts).
 */
export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  const run = await startSharedServices(process.env);
  globalThis.__backendSandboxServices = run;
  Object.assign(process.env, sharedServicesEnv(run.services));
  const scratch = createRunScratch();
  Reaper.forThisProcess().track({ dir: scratch });
  process.env[RUN_SCRATCH_ENV] = scratch;
  if (process.env.SANDBOX_VERBOSE)
    console.error(
      `services (${run.description}, ${Date.now() - started} ms): ${run.services.redisUrl} ${redact(run.services.databaseUrl)}`,
    );
}
