import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { LAYOUT } from "@backend-sandbox/testkit/runner";
import { resolveExercises } from "../exercise/catalog";
import { graderJestConfig } from "../run/jest-config";
import type { Places } from "../repo-paths";
import { JEST_BIN } from "../run/run-jest";

/**
 * `sandbox test <slug>`: the visible tests only, with Jest's live output, like `npm test` in the
 * exercise. Services come from the testkit's global setup, as in `npm test`.
 */
export async function testCommand(
  places: Places,
  slug: string,
  options: { solution?: boolean },
): Promise<number> {
  const [exercise] = resolveExercises(places.exercisesDir, [slug]);
  const scratch = mkdtempSync(path.join(tmpdir(), "sandbox-test-"));
  const configFile = path.join(scratch, "jest.config.json");
  const plan = {
    exercise: exercise!,
    sourceDir: path.join(exercise!.dir, options.solution ? LAYOUT.solution : LAYOUT.source),
    includeVisible: true,
    usesServices: exercise!.manifest.services.length > 0,
  };
  writeFileSync(configFile, JSON.stringify(graderJestConfig(plan, { repoRoot: places.repoRoot })));
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
