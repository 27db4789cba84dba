import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { LAYOUT } from "@backend-sandbox/testkit/runner";
import { exerciseNamedOrHere, resolveStage, stagePosition } from "../exercise/catalog";
import { graderJestConfig } from "../run/jest-config";
import type { Places } from "../repo-paths";
import { JEST_BIN } from "../run/run-jest";
import { planRun } from "../run/run-plan";

const STAGE_REPORTER = require.resolve("@backend-sandbox/testkit/stage-reporter");

/**
 * `sandbox test [slug]`: the visible tests only (of every stage, or of `--stage`), with Jest's
 * live output, like `npm test -- --all` in the exercise. Services come from the testkit's global
 * setup, as in `npm test`. Stages whose tests all pass against src/ are remembered as passed
 * (the testkit's stage-progress.js), outside CI, as `npm test` does.
 */
export async function testCommand(
  places: Places,
  slug: string | undefined,
  options: { solution?: boolean; stage?: string },
): Promise<number> {
  const exercise = exerciseNamedOrHere(places.exercisesDir, slug);
  const stage = options.stage === undefined ? undefined : resolveStage(exercise, options.stage);
  const scratch = mkdtempSync(path.join(tmpdir(), "sandbox-test-"));
  const configFile = path.join(scratch, "jest.config.json");
  const plan = planRun(exercise, {
    sourceDir: path.join(exercise.dir, options.solution ? LAYOUT.solution : LAYOUT.source),
    timeoutMs: exercise.manifest.timeLimitSeconds * 1000,
    ...(stage ? { stages: [stage] } : {}),
  });
  const remember = !options.solution && !process.env.CI;
  const reporters = [
    "default",
    ...(remember ? [[STAGE_REPORTER, { stateDir: places.stateDir }]] : []),
  ];
  writeFileSync(
    configFile,
    JSON.stringify(graderJestConfig(plan, { repoRoot: places.repoRoot, reporters })),
  );
  if (stage)
    process.stderr.write(
      `${stagePosition(exercise, stage)} only (${stage}); without --stage every stage runs\n`,
    );
  const env = { ...process.env };
  try {
    return await new Promise<number>((resolve, reject) => {
      const child = spawn(process.execPath, [JEST_BIN, "--config", configFile], {
        cwd: scratch,
        env,
        stdio: "inherit",
      });
      child.on("error", reject);
      child.on("close", (code) => resolve(code === 0 ? 0 : 1));
    });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
