import { chooseProvider, type ProviderChoice } from "./choose-provider";
import { waitUntilReady } from "./readiness";
import type { ProviderName, ServiceHandle } from "./providers/provider";

/** The Redis and Postgres a whole run shares (one `npm test`, one `sandbox grade`). */
export interface SharedServices {
  provider: ProviderName;
  redisUrl: string;
  databaseUrl: string;
}

/**
 * The handshake between whoever started the shared services and the processes that use them:
 * three environment variables, read and written only here.
 */
const HANDSHAKE = {
  provider: "SANDBOX_PROVIDER",
  redisUrl: "SANDBOX_REDIS_URL",
  databaseUrl: "SANDBOX_DATABASE_URL",
} as const;

/** The variables of the handshake, to drop from an environment that must start its own. */
export const SHARED_SERVICES_ENV: readonly string[] = Object.values(HANDSHAKE);

/** The shared services a parent handed down in `env`, or undefined when it handed none. */
export function sharedServicesIn(env: NodeJS.ProcessEnv = process.env): SharedServices | undefined {
  const provider = env[HANDSHAKE.provider];
  const redisUrl = env[HANDSHAKE.redisUrl];
  const databaseUrl = env[HANDSHAKE.databaseUrl];
  if (!provider || !redisUrl || !databaseUrl) return undefined;
  return { provider: provider as ProviderName, redisUrl, databaseUrl };
}

/** The shared services of this Jest run, as a test worker sees them; throws outside such a run. */
export function sharedServices(env: NodeJS.ProcessEnv = process.env): SharedServices {
  const services = sharedServicesIn(env);
  if (!services)
    throw new Error(
      "no services for this test: run it through Jest with the @backend-sandbox/testkit preset (its global setup starts Redis and Postgres)",
    );
  return services;
}

/** The environment variables that hand `services` down to child processes. */
export function sharedServicesEnv(services: SharedServices): Record<string, string> {
  return {
    [HANDSHAKE.provider]: services.provider,
    [HANDSHAKE.redisUrl]: services.redisUrl,
    [HANDSHAKE.databaseUrl]: services.databaseUrl,
  };
}

export interface StartedServices {
  services: SharedServices;
  /** In words: the provider and why it was chosen, or that the services were handed down. */
  description: string;
  /** Ends what was started here (nothing, for services handed down); safe to call twice. */
  dispose(): Promise<void>;
}

/**
 * Starts Redis and Postgres once for a run, from the provider SANDBOX_SERVICES chooses, both at
 * once. If one fails the other is ended before the error is thrown. Services a parent already
 * handed down in `env` are used as they are, and not ended by dispose().
 */
export async function startSharedServices(
  env: NodeJS.ProcessEnv = process.env,
  /** A provider already chosen (`sandbox doctor` reports the choice first); by default chooseProvider(env). */
  choice?: ProviderChoice,
): Promise<StartedServices> {
  const given = sharedServicesIn(env);
  if (given)
    return {
      services: given,
      description: `${given.provider} services given in the environment`,
      dispose: async () => {},
    };
  const { provider, reason } = choice ?? (await chooseProvider(env));
  const results = await Promise.allSettled([
    provider.startRedis(),
    provider.startPostgres({ neverRestarted: true }),
  ]);
  const handles = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
  let disposed = false;
  const dispose = async () => {
    if (disposed) return;
    disposed = true;
    await Promise.allSettled(handles.map((handle) => handle.dispose()));
  };
  const failure = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failure) {
    await dispose();
    throw failure.reason;
  }
  const [redis, postgres] = handles as [ServiceHandle, ServiceHandle];
  return {
    services: { provider: provider.name, redisUrl: redis.url, databaseUrl: postgres.url },
    description: `${provider.name} (${reason})`,
    dispose,
  };
}

/**
 * Why the shared services no longer serve, or undefined when both answer a real command (PING,
 * SELECT 1 with the run's own credentials) within `timeoutMs` each. The grader asks between
 * exercises, so a service that died or was tampered with is an `error`, never a failed grade.
 */
export async function whyServicesFail(
  services: SharedServices,
  timeoutMs = 5000,
): Promise<string | undefined> {
  const checks = await Promise.allSettled([
    waitUntilReady("redis", services.redisUrl, timeoutMs),
    waitUntilReady("postgres", services.databaseUrl, timeoutMs),
  ]);
  const failed = checks
    .map((check, i) => (check.status === "rejected" ? ["Redis", "Postgres"][i] : undefined))
    .filter(Boolean);
  return failed.length === 0
    ? undefined
    : `${failed.join(" and ")} stopped answering (${(checks.find((c) => c.status === "rejected") as PromiseRejectedResult).reason?.message?.split("\n")[0] ?? "no answer"})`;
}
