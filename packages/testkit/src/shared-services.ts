import type { ProviderName } from "./providers/provider";

/** The servers global setup started for this Jest run, as its workers see them. */
export interface SharedServices {
  provider: ProviderName;
  redisUrl: string;
  databaseUrl: string;
}

export function sharedServices(env = process.env): SharedServices {
  const { SANDBOX_PROVIDER, SANDBOX_REDIS_URL, SANDBOX_DATABASE_URL } = env;
  if (!SANDBOX_PROVIDER || !SANDBOX_REDIS_URL || !SANDBOX_DATABASE_URL) {
    throw new Error(
      "no services for this test: run it through Jest with the @backend-sandbox/testkit preset (its global setup starts Redis and Postgres)",
    );
  }
  return {
    provider: SANDBOX_PROVIDER as ProviderName,
    redisUrl: SANDBOX_REDIS_URL,
    databaseUrl: SANDBOX_DATABASE_URL,
  };
}
