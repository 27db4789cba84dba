// @backend-sandbox/testkit/runner: what runs exercises rather than writes their tests (the grader,
// `sandbox doctor`): choosing a provider, the shared services of a run, and the exercise layout.
export {
  chooseProvider,
  dockerAnswers,
  readSetting,
  providerNamed,
  NOTHING_AVAILABLE,
  type ProviderChoice,
} from "./choose-provider";
export { findNativeBinaries } from "./providers/native";
export { SESSION_LABEL, SERVICE_IMAGES, defaultImages } from "./providers/docker-defaults";
export {
  ServiceError,
  type Provider,
  type ProviderName,
  type ServiceHandle,
  type ServiceKind,
} from "./providers/provider";
export { redact } from "./readiness";
export {
  startSharedServices,
  whyServicesFail,
  sharedServicesEnv,
  sharedServicesIn,
  SHARED_SERVICES_ENV,
  type SharedServices,
  type StartedServices,
} from "./shared-services";
export {
  LAYOUT,
  ALIASES,
  TEST_FILE_SUFFIX,
  stageOfFile,
  testFilesIn,
  visibleTestFiles,
  exerciseJestConfig,
  type ExerciseRun,
} from "../exercise-layout";
export { whySealingIsImpossible, SANDBOX_LIMITS } from "./learner/sandbox";
export { citedRules } from "./rule-citations";
export {
  attachWarmServices,
  ensureWarmServices,
  stopWarmServices,
  warmServicesStatus,
  warmServicesWanted,
  describeWarm,
} from "./warm-services/warm-services";
export type { WarmState } from "./warm-services/warm-state";
