import { createRunScratch, RUN_SCRATCH_ENV } from "./learner/run-scratch";
import { redact } from "./readiness";
import { Reaper } from "./reaper";
import {
  sharedServicesEnv,
  sharedServicesIn,
  startSharedServices,
  type StartedServices,
} from "./shared-services";
import { attachWarmServices, warmServicesWanted } from "./warm-services/warm-services";

declare global {
  var __backendSandboxServices: StartedServices | undefined;
}

/**
 * Jest global setup: hands Redis and Postgres to the test workers through the environment.
 * Services a parent (the grader) handed down are used as they are. In the learner's loop the run
 * attaches to the warm services (started by the first run, kept for the next); in CI it starts
 * services of its own, ended by the global teardown. Makes the run's scratch folder too
 * (run-scratch.ts).
 */
export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  const run =
    !sharedServicesIn(process.env) && warmServicesWanted(process.env)
      ? await attachWarmServices(process.env)
      : await startSharedServices(process.env);
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
