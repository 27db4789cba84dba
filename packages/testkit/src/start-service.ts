import { onCleanup } from "./cleanup";
import { providerNamed } from "./choose-provider";
import type { ServiceHandle } from "./providers/provider";
import { sharedServices } from "./shared-services";

/**
 * A Redis server of this test file's own, for fault injection: stop/start and pause/resume it
 * without disturbing the files that share the run's main Redis. Needs docker or native.
 */
export function startRedis(): Promise<ServiceHandle> {
  return startDedicated((provider) => provider.startRedis());
}

/** A Postgres server of this test file's own, for fault injection (see startRedis). */
export function startPostgres(): Promise<ServiceHandle> {
  return startDedicated((provider) => provider.startPostgres());
}

async function startDedicated(
  start: (provider: ReturnType<typeof providerNamed>) => Promise<ServiceHandle>,
): Promise<ServiceHandle> {
  const service = await start(providerNamed(sharedServices().provider));
  onCleanup(() => service.dispose());
  return service;
}
