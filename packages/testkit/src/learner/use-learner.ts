import { onCleanup } from "../cleanup";
import { LearnerProcess, remoteModule, type Remote } from "./learner-process";

export interface FileLearner {
  /** The exports of `src/<name>.ts` in this file's learner's process (started on first use). */
  module<T>(name: string): Remote<T>;
  /** This file's learner's process, started on first use. */
  process(): Promise<LearnerProcess>;
  /** Serves an app made by this file's learner's process; its URL. */
  serve(app: unknown): Promise<string>;
}

/**
 * Call at the top of a test file: one learner's process for the file, started as the file loads
 * and ended after its last test. `startLearner()` starts more (several app instances).
 */
export function useLearner(): FileLearner {
  let started: Promise<LearnerProcess> | undefined;
  const processOnce = () => (started ??= startLearner());
  // Started now, not awaited: it boots (about 0.2 s of Node, tsx and the exercise's packages)
  // while the file's hooks make its databases and servers. A failed start is reported by the
  // first call that needs the process. A file whose tests are all filtered out (`jest -t`) runs
  // no hook to stop it: it ends with the Jest worker, its folder with the run's scratch.
  processOnce().catch(() => {});
  return {
    module<T>(name: string): Remote<T> {
      return remoteModule<T>(async (exportName, args) =>
        (
          (await processOnce()).module(name) as Record<
            string,
            (...a: unknown[]) => Promise<unknown>
          >
        )[exportName]!(...args),
      );
    },
    process: processOnce,
    async serve(app) {
      return (await (await processOnce()).serve(app)).url;
    },
  };
}

/** A learner's process of its own, ended after the file's last test. */
export async function startLearner(): Promise<LearnerProcess> {
  const learner = await LearnerProcess.start();
  onCleanup(() => learner.stop());
  return learner;
}
