// Serves the app under test on a real port, on the test file's database. The app is made and
// served in the learner's process; the tests get its URL and the connection settings cross, never a
// live pool (a pool max 10, like the one the README promises).
import {
  pgPool,
  startLearner,
  type FileLearner,
  type FileServices,
} from "@backend-sandbox/testkit";
import type * as App from "#src/app";
import { apiAt, type Api, type ApiReply } from "./api-client";

/**
 * The AppOptions a test chooses (`now` and `onError` cross as a manual clock and a callback), and
 * the database URL the app's pool connects to: the file's database, or a fault proxy to it.
 */
export type AppChoices = Partial<Pick<App.AppOptions, "cursorSecret" | "now" | "onError">> & {
  databaseUrl?: string;
};
export type StartOptions = AppChoices & { record?: (reply: ApiReply) => void };

const DEFAULTS = { cursorSecret: "visible-tests-secret", onError: () => {} };

/** The settings of a pool on the file's database, for the learner's process to build. */
const filePool = (services: FileServices, databaseUrl = services.databaseUrl) =>
  pgPool({ connectionString: databaseUrl, max: 10 });

/** Migrates the file's database and serves one app instance on it, in the file's learner's process. */
export async function startApi(
  learner: FileLearner,
  services: FileServices,
  options: StartOptions = {},
): Promise<Api> {
  const { record, databaseUrl, ...choices } = options;
  const app = learner.module<typeof App>("app");
  await app.migrate(filePool(services));
  const made = await app.createApp({
    pg: filePool(services, databaseUrl),
    ...DEFAULTS,
    ...choices,
  });
  return apiAt(await learner.serve(made), record);
}

/**
 * Serves another app instance on the file's (already migrated) database, in a learner's process of
 * its own: instances share only the database, as separate servers do.
 */
export async function startAnotherApi(
  services: FileServices,
  options: AppChoices = {},
): Promise<Api> {
  const { databaseUrl, ...choices } = options;
  const learner = await startLearner();
  const made = await learner
    .module<typeof App>("app")
    .createApp({ pg: filePool(services, databaseUrl), ...DEFAULTS, ...choices });
  return apiAt((await learner.serve(made)).url);
}
