import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { suggestion } from "../terminal/closest-names";
import { loadExercise, type Exercise } from "./manifest";
import { UsageError } from "../terminal/usage-error";

/** Slugs of the folders under exercisesDir that hold a `.meta/exercise.json`, sorted. */
export function exerciseSlugs(exercisesDir: string): string[] {
  if (!existsSync(exercisesDir)) throw new UsageError(`no exercises folder at ${exercisesDir}`);
  return readdirSync(exercisesDir, { withFileTypes: true })
    .filter(
      (entry) =>
        entry.isDirectory() &&
        existsSync(path.join(exercisesDir, entry.name, ".meta", "exercise.json")),
    )
    .map((entry) => entry.name)
    .sort();
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

/** The slug of the exercise folder `cwd` is in, if any: `sandbox grade` inside an exercise grades that one. */
export function exerciseAt(exercisesDir: string, cwd: string): string | undefined {
  const relative = path.relative(exercisesDir, cwd);
  if (!relative || relative.startsWith("..") || path.isAbsolute(relative)) return undefined;
  const slug = relative.split(path.sep)[0]!;
  return existsSync(path.join(exercisesDir, slug, ".meta", "exercise.json")) ? slug : undefined;
}

/** Picks shard `index` of `count` (1-based), by position in the sorted list, so shards never overlap. */
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
