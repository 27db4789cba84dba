// Starts the checkout service for a test: schema, app and HTTP server in the learner's process,
// on the file's database, with a manual clock.
import {
  LearnerProcess,
  manualClock,
  pgPool,
  type FileLearner,
  type ManualClock,
} from "@backend-sandbox/testkit";
import type * as App from "#src/app";
import type * as Schema from "#src/schema";
import { postOrder } from "./post-order";
import { deliverWebhook } from "./webhook-delivery";

export interface AppSettings {
  databaseUrl: string;
  webhookSecret: string;
  /** createApp's `now`; left out, the app uses its default (Date.now). */
  now?: () => number;
}

/** Makes the learner's app in `learner` (with a pool of its own on `databaseUrl`), serves it, and returns its URL. */
export async function serveApp(learner: LearnerProcess, settings: AppSettings): Promise<string> {
  const { databaseUrl, ...options } = settings;
  const app = await learner
    .module<typeof App>("app")
    .createApp({ pg: pgPool(databaseUrl), ...options });
  return (await learner.serve(app)).url;
}

/** Creates the tables with the learner's `migrate`. */
export async function migrate(
  learner: Pick<FileLearner, "module">,
  databaseUrl: string,
): Promise<void> {
  await learner.module<typeof Schema>("schema").migrate(pgPool(databaseUrl));
}

/** The checkout service in `learner` (the file's learner's process, or another one). */
export async function startCheckout(
  learner: FileLearner | LearnerProcess,
  databaseUrl: string,
  webhookSecret: string,
  clock: ManualClock = manualClock(),
) {
  await migrate(learner, databaseUrl);
  const process = learner instanceof LearnerProcess ? learner : await learner.process();
  const url = await serveApp(process, { databaseUrl, webhookSecret, now: clock.now });
  return {
    url,
    clock,
    /** Delivers a webhook with this Stripe-Signature value (undefined leaves the header out). */
    deliver: (body: string | Buffer, signatureHeader?: string) =>
      deliverWebhook(url, body, signatureHeader),
    postOrder: (order: unknown) => postOrder(url, order),
    unixNow: () => Math.floor(clock.now() / 1000),
  };
}
