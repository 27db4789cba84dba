import path from "node:path";
import { resolveExercises, resolveStage } from "../exercise/catalog";
import { readHints } from "../exercise/hints-file";
import { readHintsShown, readLastGrades, saveHintsShown } from "../exercise/learner-state";
import type { Places } from "../repo-paths";

/**
 * `sandbox hint <slug> [stage]`: each call shows the next hint of the stage, remembered in
 * `.sandbox/hints.json`. Without a stage: the first stage the last grade did not fully pass.
 * `--all` shows again the hints already revealed for the stage, and reveals none.
 */
export async function hintCommand(
  places: Places,
  slug: string,
  stageId?: string,
  options: { all?: boolean } = {},
): Promise<number> {
  const [exercise] = resolveExercises(places.exercisesDir, [slug]);
  const stages = exercise!.manifest.stages.map((s) => s.id);
  if (stageId !== undefined) resolveStage(exercise!, stageId);
  const last = readLastGrades(places.stateDir)[slug];
  const stage =
    stageId ??
    stages.find((id) => !last || (last.stages[id]?.score ?? 0) < (last.stages[id]?.points ?? 1)) ??
    stages[0]!;
  const hints = readHints(path.join(exercise!.dir, ".meta", "hints.md")).get(stage) ?? [];
  if (hints.length === 0) {
    process.stdout.write(`No hints for ${slug} › ${stage}.\n`);
    return 0;
  }
  const shown = readHintsShown(places.stateDir);
  const count = shown[slug]?.[stage] ?? 0;
  if (options.all) {
    if (count === 0)
      process.stdout.write(
        `No hint of ${slug} › ${stage} revealed yet; \`sandbox hint ${slug} ${stage}\` shows the first.\n`,
      );
    for (const [i, hint] of hints.slice(0, count).entries())
      process.stdout.write(
        `Hint ${i + 1} of ${hints.length} for ${slug} › ${stage}:\n\n  ${hint}\n\n`,
      );
    return 0;
  }
  const index = Math.min(count, hints.length - 1);
  shown[slug] = { ...shown[slug], [stage]: index + 1 };
  saveHintsShown(places.stateDir, shown);
  const last_ = index === hints.length - 1 ? " (the last one)" : "";
  process.stdout.write(
    `Hint ${index + 1} of ${hints.length} for ${slug} › ${stage}${last_}:\n\n  ${hints[index]}\n`,
  );
  return 0;
}
