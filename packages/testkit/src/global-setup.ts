import { createTransformCache, TRANSFORM_CACHE_ENV } from "./learner/sandbox";
import { redact } from "./readiness";
import { Reaper } from "./reaper";
import { sharedServicesEnv, startSharedServices, type StartedServices } from "./shared-services";

declare global {
  var __backendSandboxServices: StartedServices | undefined;
}

/**
 * Jest global setup: starts Redis and Postgres once per run and hands their URLs to the test
 * workers through the environment. Services a parent (the grader) already handed down are used
 * as they are, and nothing starts here.
 */
export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  const run = await startSharedServices(process.env);
  globalThis.__backendSandboxServices = run;
  Object.assign(process.env, sharedServicesEnv(run.services));
  // The workers start after this and inherit it: their sealed processes share one tsx cache. The
  // reaper removes it if the run is killed before its teardown.
  const cache = createTransformCache();
  Reaper.forThisProcess().track({ dir: cache });
  process.env[TRANSFORM_CACHE_ENV] = cache;
  if (process.env.SANDBOX_VERBOSE)
    console.error(
      `services (${run.description}, ${Date.now() - started} ms): ${run.services.redisUrl} ${redact(run.services.databaseUrl)}`,
    );
}
