import path from "node:path";
import { readJsonState, writeJsonState } from "@backend-sandbox/testkit/json-state";
import { recordPassedStages } from "@backend-sandbox/testkit/stage-progress";
import type { ExerciseResult } from "../score/grade-result";

/**
 * What the grader remembers for a learner, in `.sandbox/` (ignored by git): the last grade of each
 * exercise (`sandbox list` shows it) and how many hints of each stage were shown.
 */
export interface LastGrade {
  score: number;
  maxScore: number;
  status: ExerciseResult["status"];
  stages: Record<string, { score: number; points: number }>;
  at: string;
}

export function readLastGrades(stateDir: string): Record<string, LastGrade> {
  return readJsonState(path.join(stateDir, "last-grade.json"));
}

export function saveLastGrades(stateDir: string, results: readonly ExerciseResult[]): void {
  const grades = readLastGrades(stateDir);
  const at = new Date().toISOString();
  for (const r of results) {
    grades[r.slug] = {
      score: r.score,
      maxScore: r.maxScore,
      status: r.status,
      at,
      stages: Object.fromEntries(r.stages.map((s) => [s.id, { score: s.score, points: s.points }])),
    };
  }
  writeJsonState(path.join(stateDir, "last-grade.json"), grades);
}

/**
 * The stages that scored full points, remembered as passed (`.sandbox/stages-passed.json`, owned by
 * the testkit's stage-progress.js), so that `npm test` runs up to the next stage.
 */
export function rememberPassedStages(stateDir: string, results: readonly ExerciseResult[]): void {
  for (const r of results) {
    const full = r.stages.filter((s) => s.total > 0 && s.score === s.points).map((s) => s.id);
    if (full.length > 0) recordPassedStages(stateDir, r.slug, full);
  }
}

/** hints.json: slug → stage → how many hints were shown. */
export function readHintsShown(stateDir: string): Record<string, Record<string, number>> {
  return readJsonState(path.join(stateDir, "hints.json"));
}

export function saveHintsShown(
  stateDir: string,
  shown: Record<string, Record<string, number>>,
): void {
  writeJsonState(path.join(stateDir, "hints.json"), shown);
}
