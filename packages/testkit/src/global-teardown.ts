/** Jest global teardown: ends the services global setup started. */
export default async function globalTeardown(): Promise<void> {
  const services = globalThis.__backendSandboxServices ?? [];
  globalThis.__backendSandboxServices = undefined;
  await Promise.all(services.map((service) => service.dispose()));
}
