import { rmSync } from "node:fs";
import { TRANSFORM_CACHE_ENV } from "./learner/sandbox";
import { Reaper } from "./reaper";

/** Jest global teardown: ends the services global setup started (nothing, if they were handed down) and removes its transform cache. */
export default async function globalTeardown(): Promise<void> {
  const run = globalThis.__backendSandboxServices;
  globalThis.__backendSandboxServices = undefined;
  const cache = process.env[TRANSFORM_CACHE_ENV];
  if (cache) {
    rmSync(cache, { recursive: true, force: true });
    Reaper.forThisProcess().untrack({ dir: cache });
  }
  delete process.env[TRANSFORM_CACHE_ENV];
  await run?.dispose();
}
