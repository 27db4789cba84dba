// Serves the app under test on a real port, on the test file's database.
import { startServer, type FileServices } from "@backend-sandbox/testkit";
import { createApp, migrate, type AppOptions } from "#src/app";
import { apiAt, type Api, type ApiReply } from "./api-client";

export type StartOptions = Partial<AppOptions> & { record?: (reply: ApiReply) => void };

const DEFAULTS = { cursorSecret: "visible-tests-secret", onError: () => {} };

/** Migrates the file's database and serves one app instance on it. */
export async function startApi(services: FileServices, options: StartOptions = {}): Promise<Api> {
  const { record, ...appOptions } = options;
  await migrate(services.pg);
  const app = createApp({ pg: services.pg, ...DEFAULTS, ...appOptions });
  return apiAt((await startServer(app)).url, record);
}

/** Serves another app instance on the file's (already migrated) database, with a pool of its own. */
export async function startAnotherApi(
  services: FileServices,
  options: Partial<AppOptions> = {},
): Promise<Api> {
  const app = createApp({ pg: services.newPool(), ...DEFAULTS, ...options });
  return apiAt((await startServer(app)).url);
}
