import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { resolveExercises } from "../exercise-catalog";
import { graderJestConfig } from "../jest-config";
import type { Places } from "../repo-paths";
import { JEST_BIN } from "../run-jest";

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
  const sourceDir = path.join(exercise!.dir, options.solution ? ".meta/solution" : "src");
  writeFileSync(
    configFile,
    JSON.stringify(
      graderJestConfig({
        repoRoot: places.repoRoot,
        exerciseDir: exercise!.dir,
        sourceDir,
        usesServices: exercise!.manifest.services.length > 0,
      }),
    ),
  );
  const env = { ...process.env };
  delete env.SANDBOX_SOURCE_DIR;
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
