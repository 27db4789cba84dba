// One app instance for a whole test file.
import {
  useLearner,
  useServices,
  type FileLearner,
  type LearnerOptions,
} from "@backend-sandbox/testkit";
import type { Api } from "./api-client";
import { startApi, type StartOptions } from "./start-api";

/**
 * Call at the top of a test file: before its first test, the file's own database is migrated and
 * the app served on it from the file's learner's process. The client returned is ready inside
 * tests and hooks.
 */
export function useApi(
  options: StartOptions = {},
  learnerOptions: LearnerOptions = {},
): Api & Pick<FileLearner, "calls"> {
  const services = useServices();
  const learner = useLearner(learnerOptions);
  let started: Api | undefined;
  beforeAll(async () => {
    started = await startApi(learner, services, options);
  });
  const api = (): Api => {
    if (!started) throw new Error("useApi() is ready inside tests and hooks, not at import time");
    return started;
  };
  return {
    get url() {
      return api().url;
    },
    send: (...args) => api().send(...args),
    get: (...args) => api().get(...args),
    post: (...args) => api().post(...args),
    put: (...args) => api().put(...args),
    del: (...args) => api().del(...args),
    calls: (module, exportName) => learner.calls(module, exportName),
  };
}
