import {
  manualClock,
  startLearner,
  type FileLearner,
  type LearnerProcess,
  type ManualClock,
  type StandIn,
} from "@backend-sandbox/testkit";
import type * as App from "#src/app";
import type { AppOptions } from "#src/app";

/**
 * AppOptions as a test hands them to the learner's process: connection settings where the app
 * takes live clients (`redisClient(url)` for `redis`, `pgPool(config)` for `pg`); the app gets the
 * ioredis client or pg Pool built there. `now` is a manual clock's `now`, `onRedisError` a callback.
 */
export type TestAppOptions = Omit<AppOptions, "redis" | "pg"> & { redis: StandIn; pg?: StandIn };

/**
 * Unless a test says otherwise, Redis gets a generous deadline (a burst of 300 requests on a
 * loaded machine can take longer than the 200 ms default) and survived Redis errors stay quiet.
 */
const TEST_DEFAULTS: Partial<TestAppOptions> = { redisTimeoutMs: 5000, onRedisError: () => {} };

/** Where an app instance runs: a file's learner (`useLearner()`), or a process of its own (`hostOf`). */
export type AppHost = Pick<FileLearner, "module" | "serve">;

/** A learner's process as an AppHost. */
export function hostOf(learner: LearnerProcess): AppHost {
  return {
    module: (name) => learner.module(name),
    serve: async (app) => (await learner.serve(app)).url,
  };
}

/** Serves one app instance, made in `learner`'s process, on a loopback port; its base URL. */
export async function startApp(learner: AppHost, options: TestAppOptions): Promise<string> {
  return startAppAsGiven(learner, { ...TEST_DEFAULTS, ...options });
}

/** Serves one app instance whose `now` is a manual clock starting at `startMs`; the clock and the base URL. */
export async function startAppOnClock(
  learner: AppHost,
  startMs: number,
  options: Omit<TestAppOptions, "now">,
): Promise<{ clock: ManualClock; url: string }> {
  const clock = manualClock(startMs);
  return { clock, url: await startApp(learner, { ...options, now: clock.now }) };
}

/** Serves one app instance with exactly `options`: what they leave out gets the app's own default. */
export async function startAppAsGiven(learner: AppHost, options: TestAppOptions): Promise<string> {
  const app = await learner.module<typeof App>("app").createApp(options);
  return learner.serve(app);
}

/**
 * Instances of the app as a load balancer's pool would run them: each in a learner's process of
 * its own, so they share Redis (and Postgres) but no memory. The processes start on first use and
 * serve the file's later tests too; call at the top of a test file.
 */
export function useInstances(count: number): {
  /** One new app instance per process; `options()` is called once per instance (each needs a Redis client of its own). */
  start(options: () => TestAppOptions): Promise<string[]>;
} {
  let processes: Promise<LearnerProcess[]> | undefined;
  return {
    async start(options) {
      processes ??= Promise.all(Array.from({ length: count }, () => startLearner()));
      return Promise.all((await processes).map((learner) => startApp(hostOf(learner), options())));
    },
  };
}
