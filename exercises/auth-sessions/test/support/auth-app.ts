// Serves the app under test: the file's database migrated once, then any number of instances,
// each in a learner's process of its own when asked (instances share only Redis and Postgres).
import {
  manualClock,
  pgPool,
  redisClient,
  startLearner,
  type FileLearner,
  type FileServices,
  type ManualClock,
} from "@backend-sandbox/testkit";
import type * as App from "#src/app";

/** The app's own origin (R4.1): what the browsers of the tests send as Origin. */
export const ORIGIN = "https://app.example.test";
/** Cheap scrypt parameters for the tests (R1.3 lets the options lower the cost). */
export const TEST_SCRYPT = { N: 1024, r: 8, p: 1 };

export interface ResetMail {
  email: string;
  token: string;
}

export interface AuthApp {
  url: string;
  clock: ManualClock;
  /** Every sendResetEmail call of every instance started with this app's options, in order. */
  mails: ResetMail[];
}

export type AppChoices = Partial<Omit<App.AppOptions, "pg" | "redis" | "now" | "sendResetEmail">>;

const migrated = new WeakSet<FileServices>();

/** A file's learner's process or one of its own: both make modules and serve apps. */
type Host = {
  module: FileLearner["module"];
  serve(app: unknown): Promise<string | { url: string }>;
};

/** Starts one instance (in `learner`, or a new learner's process) on the file's services. */
export async function startAuthApp(
  services: FileServices,
  options: {
    learner?: FileLearner;
    clock?: ManualClock;
    mails?: ResetMail[];
    choices?: AppChoices;
  } = {},
): Promise<AuthApp> {
  const clock = options.clock ?? manualClock();
  const mails = options.mails ?? [];
  const learner: Host = options.learner ?? (await startLearner());
  const app = learner.module<typeof App>("app");
  const pg = () => pgPool({ connectionString: services.databaseUrl, max: 10 });
  if (!migrated.has(services)) {
    await app.migrate(pg());
    migrated.add(services);
  }
  const made = await app.createApp({
    pg: pg(),
    redis: redisClient(services.redisUrl),
    origin: ORIGIN,
    now: clock.now,
    scrypt: TEST_SCRYPT,
    sendResetEmail: (email: string, token: string) => {
      mails.push({ email, token });
    },
    onError: () => {},
    ...options.choices,
  });
  const served = await learner.serve(made);
  return { url: typeof served === "string" ? served : served.url, clock, mails };
}

/** More instances of the same app: the same clock and mailbox, processes of their own. */
export async function startMoreInstances(
  services: FileServices,
  first: AuthApp,
  count: number,
): Promise<string[]> {
  const urls: string[] = [];
  for (let i = 0; i < count; i++)
    urls.push((await startAuthApp(services, { clock: first.clock, mails: first.mails })).url);
  return urls;
}
