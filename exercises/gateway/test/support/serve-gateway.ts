// Builds a gateway in the learner's process (the code under test runs only there) and serves it
// on a loopback port. Options cross as data: Redis and Postgres as connection settings
// (redisClient, pgPool), `now` as a manual clock's `now`.
import {
  LearnerProcess,
  onCleanup,
  type FileLearner,
  type StandIn,
} from "@backend-sandbox/testkit";
import type * as GatewayModule from "#src/gateway";
import type { GatewayOptions } from "#src/types";

/** GatewayOptions as a test passes them: `pg` and `redis` are connection settings the learner's process builds clients from. */
export type GatewayConfig = Omit<GatewayOptions, "pg" | "redis"> & {
  pg?: StandIn;
  redis?: StandIn;
};

/** The file's learner's process (useLearner) or another one (startLearner): a second gateway instance. */
export type Learner = FileLearner | LearnerProcess;

/** The learner's process itself, started if it is not yet. */
export const processOf = async (learner: Learner) =>
  learner instanceof LearnerProcess ? learner : learner.process();

/** Calls createGateway in `learner`'s process; a throw there rejects (as a RemoteError). */
export async function createGateway(learner: Learner, options: GatewayConfig) {
  return (await processOf(learner)).module<typeof GatewayModule>("gateway").createGateway(options);
}

/** Starts a gateway in `learner`'s process on a loopback port; it is closed after the file's last test. */
export async function serveGateway(learner: Learner, options: GatewayConfig) {
  const gateway = await createGateway(learner, options);
  onCleanup(() => gateway.close());
  const { url } = await (await processOf(learner)).serve(gateway.handle);
  return { url, gateway };
}
