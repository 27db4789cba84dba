import { rmSync } from "node:fs";
import { createRunScratch, RUN_SCRATCH_ENV } from "./learner/run-scratch";
import { redact } from "./readiness";
import { Reaper } from "./reaper";
import { sharedServicesEnv, startSharedServices, type StartedServices } from "./shared-services";
import {
  attachWarmServices,
  warmServicesWanted,
  WarmServicesInUse,
} from "./warm-services/warm-services";

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
  const begun = Date.now();
  const scratch = createRunScratch();
  const { services: started, reaped } = await servicesForRun(scratch).catch((error: unknown) => {
    // A reaper that tracked it removes it again at exit, harmlessly.
    rmSync(scratch, { recursive: true, force: true });
    throw error;
  });
  globalThis.__backendSandboxRun = { services: started, scratch, reaped };
  const { redisUrl, databaseUrl } = started.services;
  Object.assign(process.env, sharedServicesEnv(started.services));
  process.env[RUN_SCRATCH_ENV] = scratch;
  if (process.env.SANDBOX_VERBOSE)
    console.error(
      `services (${started.description}, ${Date.now() - begun} ms): ${redisUrl} ${redact(databaseUrl)}`,
    );
}

/**
 * The warm services when the run wants them: the keeper then removes the scratch folder of a run
 * that died, which spares the run a reaper process of its own (40-60 ms of a two-core machine's
 * time). Else, or when the warm services' folder cannot be written, services of the run's own
 * (or handed down), with the reaper watching the scratch folder.
 */
async function servicesForRun(
  scratch: string,
): Promise<{ services: StartedServices; reaped: boolean }> {
  if (warmServicesWanted(process.env)) {
    try {
      return {
        services: await attachWarmServices(process.env, undefined, [scratch]),
        reaped: false,
      };
    } catch (error) {
      if (error instanceof WarmServicesInUse)
        console.error(`${error.message}; this run starts its own`);
      else if (unwritable(error as Error))
        console.error(
          `warm services unavailable (${(error as Error).message}); this run starts its own`,
        );
      else throw error;
    }
  }
  Reaper.forThisProcess().track({ dir: scratch });
  return { services: await startSharedServices(process.env), reaped: true };
}

/** A state folder that cannot be written (a read-only home, a full disk, a file in its place): warm services cannot be kept. */
function unwritable(error: Error): boolean {
  return ["EACCES", "EPERM", "EROFS", "ENOSPC", "ENOTDIR"].includes(
    (error as NodeJS.ErrnoException).code ?? "",
  );
}
