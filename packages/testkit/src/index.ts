// The whole public surface of @backend-sandbox/testkit.
export { useServices, type FileServices } from "./use-services";
export { startServer, type RunningServer } from "./start-server";
export { startRedis, startPostgres } from "./start-service";
export { seededRandom, type SeededRandom } from "./seeded-random";
export { because, within, timed, ExpectationError } from "./expectations";
export { onCleanup } from "./cleanup";
export {
  chooseProvider,
  dockerAnswers,
  readSetting,
  providerNamed,
  NOTHING_AVAILABLE,
  type ProviderChoice,
} from "./choose-provider";
export { findNativeBinaries } from "./providers/native";
export { SESSION_LABEL, defaultImages } from "./providers/docker-defaults";
export {
  ServiceError,
  type Provider,
  type ProviderName,
  type ServiceHandle,
  type ServiceKind,
} from "./providers/provider";
export { waitUntilReady, redact } from "./readiness";
