/** Jest global teardown: ends the services global setup started (nothing, if they were handed down). */
export default async function globalTeardown(): Promise<void> {
  const run = globalThis.__backendSandboxServices;
  globalThis.__backendSandboxServices = undefined;
  await run?.dispose();
}
