import { chooseProvider } from "./choose-provider";
import type { ServiceHandle } from "./providers/provider";
import { redact } from "./readiness";

declare global {
  var __backendSandboxServices: ServiceHandle[] | undefined;
}

/**
 * Jest global setup: starts Redis and Postgres once per run and hands their URLs to the test
 * workers through the environment. A parent that already runs services (the grader) can pass
 * SANDBOX_PROVIDER, SANDBOX_REDIS_URL and SANDBOX_DATABASE_URL, and then nothing starts here.
 */
export default async function globalSetup(): Promise<void> {
  const env = process.env;
  if (env.SANDBOX_PROVIDER && env.SANDBOX_REDIS_URL && env.SANDBOX_DATABASE_URL) return;
  const { provider } = await chooseProvider();
  const started = Date.now();
  const results = await Promise.allSettled([provider.startRedis(), provider.startPostgres()]);
  const services = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
  globalThis.__backendSandboxServices = services;
  const failure = results.find((r) => r.status === "rejected");
  if (failure) {
    await Promise.all(services.map((s) => s.dispose()));
    throw failure.reason;
  }
  const [redis, postgres] = services as [ServiceHandle, ServiceHandle];
  env.SANDBOX_PROVIDER = provider.name;
  env.SANDBOX_REDIS_URL = redis.url;
  env.SANDBOX_DATABASE_URL = postgres.url;
  if (env.SANDBOX_VERBOSE) {
    console.error(
      `services (${provider.name}, ${Date.now() - started} ms): ${redis.url} ${redact(postgres.url)}`,
    );
  }
}
