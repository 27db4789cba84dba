import { chooseProvider, type ServiceHandle } from "@backend-sandbox/testkit";

export interface RunningServices {
  /** SANDBOX_PROVIDER, SANDBOX_REDIS_URL, SANDBOX_DATABASE_URL for the child Jest runs. */
  env: Record<string, string>;
  description: string;
  dispose(): Promise<void>;
}

/**
 * Starts Redis and Postgres once for a whole `grade` or `verify`, through the testkit. Every child
 * Jest run attaches to them (the testkit's global setup sees the URLs and starts nothing) and
 * still isolates each test file in its own database. Services already given in the environment
 * (e.g. when the grader itself runs under Jest) are used as they are and not disposed.
 */
export async function startServices(
  env: NodeJS.ProcessEnv = process.env,
): Promise<RunningServices> {
  if (env.SANDBOX_PROVIDER && env.SANDBOX_REDIS_URL && env.SANDBOX_DATABASE_URL) {
    return {
      env: {
        SANDBOX_PROVIDER: env.SANDBOX_PROVIDER,
        SANDBOX_REDIS_URL: env.SANDBOX_REDIS_URL,
        SANDBOX_DATABASE_URL: env.SANDBOX_DATABASE_URL,
      },
      description: `${env.SANDBOX_PROVIDER} services given in the environment`,
      dispose: async () => {},
    };
  }
  const { provider, reason } = await chooseProvider(env);
  const results = await Promise.allSettled([provider.startRedis(), provider.startPostgres()]);
  const handles = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
  const failure = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  let disposed = false;
  const dispose = async () => {
    if (disposed) return;
    disposed = true;
    await Promise.allSettled(handles.map((h) => h.dispose()));
  };
  if (failure) {
    await dispose();
    throw failure.reason;
  }
  const [redis, postgres] = handles as [ServiceHandle, ServiceHandle];
  return {
    env: {
      SANDBOX_PROVIDER: provider.name,
      SANDBOX_REDIS_URL: redis.url,
      SANDBOX_DATABASE_URL: postgres.url,
    },
    description: `${provider.name} (${reason})`,
    dispose,
  };
}
