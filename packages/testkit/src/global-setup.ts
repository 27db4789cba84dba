import { createRunScratch, removeScratch, RUN_SCRATCH_ENV } from "./learner/run-scratch";
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
  var __backendSandboxRun:
    | {
        services: StartedServices;
        scratch: string;
        /** The reaper removes the scratch folder if the run dies; else the warm services' keeper does. */
        reaped: boolean;
      }
    | undefined;
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
  const scratch = createRunScratch();
  const warm = !sharedServicesIn(process.env) && warmServicesWanted(process.env);
  // Attached to warm services, the keeper removes the scratch folder of a run that died: that
  // spares the run a reaper process of its own, 40-60 ms of a two-core machine's time.
  if (!warm) Reaper.forThisProcess().track({ dir: scratch });
  let run: StartedServices;
  let reaped = !warm;
  try {
    run = warm
      ? await attachWarmServices(process.env, undefined, [scratch]).catch((error: Error) => {
          if (!unwritable(error)) throw error;
          console.error(`warm services unavailable (${error.message}); this run starts its own`);
          Reaper.forThisProcess().track({ dir: scratch });
          reaped = true;
          return startSharedServices(process.env);
        })
      : await startSharedServices(process.env);
  } catch (error) {
    removeScratch(scratch, reaped);
    throw error;
  }
  globalThis.__backendSandboxRun = { services: run, scratch, reaped };
  Object.assign(process.env, sharedServicesEnv(run.services));
  process.env[RUN_SCRATCH_ENV] = scratch;
  if (process.env.SANDBOX_VERBOSE)
    console.error(
      `services (${run.description}, ${Date.now() - started} ms): ${run.services.redisUrl} ${redact(run.services.databaseUrl)}`,
    );
}

/** A state folder that cannot be written (a read-only home, a full disk, a file in its place): warm services cannot be kept. */
function unwritable(error: Error): boolean {
  return ["EACCES", "EPERM", "EROFS", "ENOSPC", "ENOTDIR"].includes(
    (error as NodeJS.ErrnoException).code ?? "",
  );
}
