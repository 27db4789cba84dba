// Counts the calls that the code under test makes to node:crypto's timingSafeEqual (README R3.4).
//
// The code under test runs in a process of its own, out of reach of a test's jest.spyOn, and the
// testkit has no probe inside that process. So this starts a learner's process on a copy of the
// code under test plus one file: a probe that wraps timingSafeEqual on node:crypto's module
// object, where `import { timingSafeEqual } from "node:crypto"` looks it up at every call.
import { chmodSync, cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { LearnerProcess, onCleanup } from "@backend-sandbox/testkit";
// Not part of the testkit's public surface: where this test run's code under test is, and how it runs.
import { learnerRun } from "../../../../packages/testkit/src/learner/learner-run";

const PROBE = "sandbox-timing-safe-equal-probe";
const PROBE_SOURCE = `"use strict";
const crypto = require("node:crypto");
const original = crypto.timingSafeEqual;
let calls = 0;
crypto.timingSafeEqual = function timingSafeEqual(a, b) {
  calls += 1;
  return original.call(this, a, b);
};
exports.timingSafeEqualCalls = () => calls;
`;

export interface ProbedLearner {
  /** A learner's process running the code under test, with the probe loaded. */
  learner: LearnerProcess;
  /** How many times the code under test has called timingSafeEqual so far. */
  timingSafeEqualCalls(): Promise<number>;
}

/** A learner's process of its own (ended after the file's last test) whose timingSafeEqual calls are counted. */
export async function startProbedLearner(): Promise<ProbedLearner> {
  const run = learnerRun();
  const sourceDir = mkdtempSync(path.join(os.tmpdir(), "sandbox-probed-source-"));
  onCleanup(() => rmSync(sourceDir, { recursive: true, force: true }));
  cpSync(run.sourceDir, sourceDir, { recursive: true });
  writeFileSync(path.join(sourceDir, `${PROBE}.js`), PROBE_SOURCE);
  chmodSync(sourceDir, 0o755); // a sealed process runs as a user of its own
  const learner = await LearnerProcess.start({ ...run, sourceDir });
  onCleanup(() => learner.stop());
  const probe = learner.module<{ timingSafeEqualCalls(): number }>(PROBE);
  await probe.timingSafeEqualCalls(); // loads the probe before any code under test runs
  return { learner, timingSafeEqualCalls: () => probe.timingSafeEqualCalls() };
}
