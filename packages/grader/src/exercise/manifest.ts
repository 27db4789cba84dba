import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { ManifestError } from "../terminal/usage-error";

const kebab = /^[a-z0-9]+(-[a-z0-9]+)*$/;

const stageSchema = z.strictObject({
  id: z.string().regex(kebab, "must be kebab-case, e.g. fixed-window"),
  title: z.string().min(1),
  points: z.number().int().positive(),
});

export const manifestSchema = z
  .strictObject({
    slug: z.string().regex(kebab, "must be kebab-case"),
    title: z.string().min(1),
    summary: z.string().min(1),
    difficulty: z.enum(["beginner", "intermediate", "advanced"]),
    concepts: z.array(z.string().min(1)),
    services: z.array(z.enum(["redis", "postgres"])),
    timeLimitSeconds: z.number().positive().max(3600),
    stages: z.array(stageSchema).min(1),
    /**
     * The digest of src/ as shipped (stub-digest.ts): a learner's grade at their desk reports an
     * exercise whose src/ still has it as not started, without running its tests. `sandbox
     * format` writes it; `sandbox verify` checks it.
     */
    stubDigest: z
      .string()
      .regex(
        /^sha256:[0-9a-f]{64}$/,
        "must be sha256:<64 hex digits>, as `sandbox format` writes it",
      )
      .optional(),
  })
  .superRefine((manifest, ctx) => {
    const seen = new Set<string>();
    manifest.stages.forEach((stage, i) => {
      if (seen.has(stage.id))
        ctx.addIssue({
          code: "custom",
          path: ["stages", i, "id"],
          message: `repeats stage id "${stage.id}"`,
        });
      seen.add(stage.id);
    });
  });

export type ExerciseManifest = z.infer<typeof manifestSchema>;
export type Stage = ExerciseManifest["stages"][number];

export interface Exercise {
  slug: string;
  /** Absolute path of `exercises/<slug>/`. */
  dir: string;
  manifest: ExerciseManifest;
}

/** Reads and validates `<dir>/.meta/exercise.json`; a bad file is a ManifestError naming the field. */
export function loadExercise(dir: string): Exercise {
  const file = path.join(dir, ".meta", "exercise.json");
  if (!existsSync(file)) throw new ManifestError(file, "", "is missing");
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new ManifestError(file, "", `is not valid JSON (${(error as Error).message})`);
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.map(String).join(".");
    throw new ManifestError(
      file,
      field,
      issue.message.toLowerCase().startsWith("invalid")
        ? `is invalid: ${issue.message}`
        : issue.message,
    );
  }
  const slug = path.basename(dir);
  if (parsed.data.slug !== slug)
    throw new ManifestError(file, "slug", `is "${parsed.data.slug}" but the folder is "${slug}"`);
  return { slug, dir, manifest: parsed.data };
}

export function maxScore(manifest: ExerciseManifest): number {
  return manifest.stages.reduce((sum, stage) => sum + stage.points, 0);
}
