// The environment the benchmark scripts run their commands in.

/** What would hand services down to a run, pick them, or make it CI's. */
const SERVICE_CHOICE = [
  "SANDBOX_PROVIDER",
  "SANDBOX_REDIS_URL",
  "SANDBOX_DATABASE_URL",
  "SANDBOX_SERVICES",
  "SANDBOX_WARM_SERVICES",
  "SANDBOX_WARM_DIR",
  "CI",
];

/**
 * This process's environment less anything that would hand services down or pick them, plus
 * `extra`: a row of a bench then runs with exactly the services it names.
 * @param {Record<string, string>} extra
 */
export function benchEnv(extra = {}) {
  const env = { ...process.env };
  for (const name of SERVICE_CHOICE) delete env[name];
  return { ...env, ...extra };
}
