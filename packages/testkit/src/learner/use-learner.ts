import { onCleanup } from "../cleanup";
import { LearnerProcess, remoteModule, type Remote } from "./learner-process";

export interface FileLearner {
  /** The exports of `src/<name>.ts` in this file's learner's process (started on first use). */
  module<T>(name: string): Remote<T>;
  /** This file's learner's process, started on first use. */
  process(): Promise<LearnerProcess>;
  /** Serves an app made by this file's learner's process; its URL. */
  serve(app: unknown): Promise<string>;
  /**
   * How many times the code under test has called a Node built-in's function (`"node:crypto",
   * "timingSafeEqual"`) so far; counted from the process's start when `useLearner({ watch })`
   * named it, else from this first call (LearnerProcess.watch).
   */
  calls(module: string, exportName: string): Promise<number>;
}

export interface LearnerOptions {
  /**
   * Node built-in functions to count the calls of, as [module, export] pairs, from before any code
   * under test loads: code that takes the function out of its module at load is counted too.
   */
  watch?: readonly (readonly [module: string, exportName: string])[];
}

/**
 * Call at the top of a test file: one learner's process for the file, started as the file loads
 * and ended after its last test. `startLearner()` starts more (several app instances).
 */
export function useLearner(options: LearnerOptions = {}): FileLearner {
  let started: Promise<LearnerProcess> | undefined;
  const processOnce = () =>
    (started ??= startLearner().then(async (learner) => {
      for (const [module, exportName] of options.watch ?? [])
        await learner.watch(module, exportName);
      return learner;
    }));
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
    async calls(module, exportName) {
      return (await (await processOnce()).watch(module, exportName)).calls();
    },
  };
}

/** A learner's process of its own, ended after the file's last test. */
export async function startLearner(): Promise<LearnerProcess> {
  const learner = await LearnerProcess.start();
  onCleanup(() => learner.stop());
  return learner;
}
