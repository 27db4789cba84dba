// The public surface of @backend-sandbox/testkit for test authors. What the grader and
// `sandbox doctor` need (providers, shared services, the exercise layout) is in ./runner.
export { useServices, type FileServices } from "./use-services";
export { startServer, type RunningServer } from "./start-server";
export { startRedis, startPostgres } from "./start-service";
export type { ServiceHandle } from "./providers/provider";
export { seededRandom, type SeededRandom } from "./seeded-random";
export { because, within, timed, ExpectationError } from "./expectations";
export { onCleanup } from "./cleanup";
export { manualClock, type ManualClock } from "./manual-clock";
export { fixedRandom, isFixedRandom, type FixedRandom } from "./fixed-random";
export { eventually, type EventuallyOptions } from "./eventually";
export {
  request,
  httpReply,
  expectProblem,
  PROBLEM_JSON,
  type HttpReply,
  type RequestOptions,
} from "./http-reply";
export {
  useLearner,
  startLearner,
  type FileLearner,
  type LearnerOptions,
} from "./learner/use-learner";
export { LearnerProcess, type Remote, type RemoteFunction } from "./learner/learner-process";
export { redisClient, pgPool, type StandIn } from "./learner/stand-ins";
export { RemoteError } from "./learner/codec";
export { startFaultProxy, type FaultProxy } from "./fault-proxy";
export { learnerRun, type LearnerRun } from "./learner/learner-run";
