// Two app instances for the race tests, both reaching Postgres through one fault proxy: while a
// race runs, every chunk through the proxy is delayed, so that concurrent requests overlap at the
// database even on a loaded machine.
import {
  startFaultProxy,
  type FaultProxy,
  type FileLearner,
  type FileServices,
} from "@backend-sandbox/testkit";
import type { Api } from "./api-client";
import { startAnotherApi, startApi } from "./start-api";

/** How long the proxy holds each chunk, each way, during a race (ms). */
export const RACE_DELAY_MS = 30;

export interface RacingApis {
  /** The two instances (the first in the file's learner's process), ready in tests and hooks. */
  readonly apis: Api[];
  /** Runs `send` with every database chunk delayed by RACE_DELAY_MS; what `send` returns. */
  race<T>(send: () => Promise<T>): Promise<T>;
}

/** Call at the top of a race test file: starts both instances before its first test. */
export function useRacingApis(learner: FileLearner, services: FileServices): RacingApis {
  let proxy: FaultProxy;
  const apis: Api[] = [];
  beforeAll(async () => {
    proxy = await startFaultProxy(services.databaseUrl);
    const databaseUrl = proxy.url;
    apis.push(await startApi(learner, services, { databaseUrl }));
    apis.push(await startAnotherApi(services, { databaseUrl }));
  });
  return {
    apis,
    async race(send) {
      proxy.delay(RACE_DELAY_MS);
      try {
        return await send();
      } finally {
        proxy.delay(0);
      }
    },
  };
}
