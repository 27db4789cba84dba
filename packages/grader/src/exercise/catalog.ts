import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { isDeepStrictEqual } from "node:util";
import { suggestion } from "../terminal/closest-names";
import { loadExercise, type Exercise } from "./manifest";
import { UsageError } from "../terminal/usage-error";
import type { Check } from "./structure-checks";

/**
 * The catalog's order, written once: `exercises.json` beside the exercise folders is a JSON array
 * of slugs. `sandbox list`, `grade`, `verify` and the root README's table follow it.
 */
export const CATALOG_FILE = "exercises.json";

/** The slugs `exercises.json` lists, in its order ([] when there is none or it is not an array of strings). */
export function catalogOrder(exercisesDir: string): string[] {
  try {
    const order: unknown = JSON.parse(readFileSync(path.join(exercisesDir, CATALOG_FILE), "utf8"));
    return Array.isArray(order) && order.every((slug) => typeof slug === "string") ? order : [];
  } catch {
    return [];
  }
}

/**
 * Slugs of the folders under exercisesDir that hold a `.meta/exercise.json`: in the catalog's
 * order, then any it does not list (verify fails on those), sorted.
 */
export function exerciseSlugs(exercisesDir: string): string[] {
  if (!existsSync(exercisesDir)) throw new UsageError(`no exercises folder at ${exercisesDir}`);
  const folders = readdirSync(exercisesDir, { withFileTypes: true })
    .filter(
      (entry) =>
        entry.isDirectory() &&
        existsSync(path.join(exercisesDir, entry.name, ".meta", "exercise.json")),
    )
    .map((entry) => entry.name)
    .sort();
  const order = catalogOrder(exercisesDir).filter((slug) => folders.includes(slug));
  return [...new Set(order), ...folders.filter((slug) => !order.includes(slug))];
}

/** Adds a new exercise at the end of the catalog (`sandbox new`), creating the file if need be. */
export function addToCatalog(exercisesDir: string, slug: string): void {
  const order = catalogOrder(exercisesDir).filter((listed) => listed !== slug);
  writeFileSync(
    path.join(exercisesDir, CATALOG_FILE),
    `${JSON.stringify([...order, slug], null, 2)}\n`,
  );
}

/**
 * The catalog's own checks: `exercises.json` lists every exercise folder once and nothing else,
 * and the repository README's table (when the exercises folder sits beside one) lists them in
 * that order.
 */
export function catalogChecks(exercisesDir: string): Check[] {
  const folders = exerciseSlugs(exercisesDir).sort();
  const order = catalogOrder(exercisesDir);
  const problems = [
    ...folders.filter((slug) => !order.includes(slug)).map((slug) => `${slug} is not listed`),
    ...order.filter((slug) => !folders.includes(slug)).map((slug) => `${slug} is no exercise`),
    ...order.filter((slug, i) => order.indexOf(slug) !== i).map((slug) => `${slug} twice`),
  ];
  const checks: Check[] = [
    problems.length === 0
      ? { ok: true, what: `${CATALOG_FILE} lists every exercise once, in the catalog's order` }
      : {
          ok: false,
          what: `${CATALOG_FILE} lists every exercise once, in the catalog's order`,
          detail: problems.join("; "),
        },
  ];
  const readme = path.join(exercisesDir, "..", "README.md");
  if (existsSync(readme)) {
    const folder = path.basename(exercisesDir);
    const linked = [
      ...readFileSync(readme, "utf8").matchAll(
        new RegExp(`\\]\\(${folder}/([a-z0-9-]+)/README\\.md\\)`, "g"),
      ),
    ].map((match) => match[1]!);
    if (linked.length > 0) {
      const what = `README.md's table lists the exercises in ${CATALOG_FILE}'s order`;
      checks.push(
        isDeepStrictEqual(linked, order)
          ? { ok: true, what }
          : { ok: false, what, detail: `it lists ${linked.join(", ")}` },
      );
    }
  }
  return checks;
}

/**
 * The exercises named on the command line, or every exercise when none is named. An unknown
 * slug is a UsageError that lists the closest valid ones.
 */
export function resolveExercises(exercisesDir: string, slugs: readonly string[]): Exercise[] {
  const known = exerciseSlugs(exercisesDir);
  const wanted = slugs.length > 0 ? [...new Set(slugs)] : known;
  for (const slug of wanted) {
    if (!known.includes(slug))
      throw new UsageError(`unknown exercise "${slug}": ${suggestion(slug, known)}`);
  }
  return wanted.map((slug) => loadExercise(path.join(exercisesDir, slug)));
}

/**
 * The exercise a command means: the one named, else the one whose folder `cwd` is in (`sandbox
 * grade` and `sandbox test` inside `exercises/<slug>/`). A UsageError when there is neither.
 */
export function exerciseNamedOrHere(exercisesDir: string, slug: string | undefined): Exercise {
  const here = slug ?? exerciseAt(exercisesDir, process.cwd());
  if (!here)
    throw new UsageError(
      `name an exercise (${exerciseSlugs(exercisesDir).join(", ")}), or run this inside its folder`,
    );
  return resolveExercises(exercisesDir, [here])[0]!;
}

/** Where a stage sits in its exercise, in words: "stage 3 of 7". */
export function stagePosition(exercise: Exercise, stageId: string): string {
  const stages = exercise.manifest.stages.map((s) => s.id);
  return `stage ${stages.indexOf(stageId) + 1} of ${stages.length}`;
}

/** A stage id of an exercise (`--stage`), checked: an unknown one is a UsageError naming the closest. */
export function resolveStage(exercise: Exercise, stageId: string): string {
  const stages = exercise.manifest.stages.map((s) => s.id);
  if (!stages.includes(stageId))
    throw new UsageError(
      `unknown stage "${stageId}" of ${exercise.slug}: ${suggestion(stageId, stages)}`,
    );
  return stageId;
}

/** The slug of the exercise folder `cwd` is in, if any: `sandbox grade` inside an exercise grades that one. */
export function exerciseAt(exercisesDir: string, cwd: string): string | undefined {
  const relative = path.relative(exercisesDir, cwd);
  if (!relative || relative.startsWith("..") || path.isAbsolute(relative)) return undefined;
  const slug = relative.split(path.sep)[0]!;
  return existsSync(path.join(exercisesDir, slug, ".meta", "exercise.json")) ? slug : undefined;
}

/** Picks shard `index` of `count` (1-based), by position in the catalog's order, so shards never overlap. */
export function shardOf<T>(
  items: readonly T[],
  shard: { index: number; count: number } | undefined,
): T[] {
  if (!shard) return [...items];
  return items.filter((_, i) => i % shard.count === shard.index - 1);
}

export function parseShard(value: string): { index: number; count: number } {
  const match = /^(\d+)\/(\d+)$/.exec(value.trim());
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || index < 1 || index > count) {
    throw new UsageError(`--shard wants I/N with 1 <= I <= N, e.g. 1/3; got "${value}"`);
  }
  return { index, count };
}
