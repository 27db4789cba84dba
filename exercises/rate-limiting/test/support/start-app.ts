import { manualClock, startServer, type ManualClock } from "@backend-sandbox/testkit";
import { createApp, type AppOptions } from "#src/app";

/**
 * Unless a test says otherwise, Redis gets a generous deadline (a burst of 300 requests on a
 * loaded machine can take longer than the 200 ms default) and survived Redis errors stay quiet.
 */
const TEST_DEFAULTS: Partial<AppOptions> = { redisTimeoutMs: 5000, onRedisError: () => {} };

/** Serves one app instance on a loopback port and returns its base URL (closed after the file). */
export async function startApp(options: AppOptions): Promise<string> {
  const server = await startServer(createApp({ ...TEST_DEFAULTS, ...options }));
  return server.url;
}

/** Serves one app instance whose `now` is a manual clock starting at `startMs`; the clock and the base URL. */
export async function startAppOnClock(
  startMs: number,
  options: Omit<AppOptions, "now">,
): Promise<{ clock: ManualClock; url: string }> {
  const clock = manualClock(startMs);
  return { clock, url: await startApp({ ...options, now: clock.now }) };
}

/** Serves one app instance with exactly `options`: what they leave out gets the app's own default. */
export async function startAppAsGiven(options: AppOptions): Promise<string> {
  const server = await startServer(createApp(options));
  return server.url;
}

/**
 * Serves `count` app instances as separate processes would run: each loads `#src` in a module
 * registry of its own, so they share Redis (and Postgres) but nothing kept in a module's memory.
 * `options()` is called once per instance (each needs a Redis client of its own).
 */
export async function startInstances(count: number, options: () => AppOptions): Promise<string[]> {
  const urls: string[] = [];
  for (let i = 0; i < count; i++) {
    let app: typeof import("#src/app") | undefined;
    jest.isolateModules(() => {
      app = require("#src/app");
    });
    const server = await startServer(app!.createApp({ ...TEST_DEFAULTS, ...options() }));
    urls.push(server.url);
  }
  return urls;
}
