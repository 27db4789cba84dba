/**
 * What verifying an exercise costs: the seconds its gradings took, by kind (solution, stub, wrong
 * solutions). `sandbox verify` prints each exercise's line and the run's total, and writes them to
 * verify.json, so every CI log states what one exercise costs and what more of them would add.
 */
export type GradingKind = "solution" | "stub" | "wrong";

/** Gradings of one kind: how many, and their time summed, in seconds. */
export interface KindCost {
  gradings: number;
  seconds: number;
}

/** One exercise's gradings; seconds are grading time summed, not wall time (gradings overlap). */
export type ExerciseCost = Record<GradingKind, KindCost>;

const KINDS: GradingKind[] = ["solution", "stub", "wrong"];
const s = (seconds: number) => `${Math.round(seconds)} s`;

export class GradingCost {
  private readonly costs = new Map<string, ExerciseCost>();

  /** Counts one grading of `slug` that took `ms` milliseconds. */
  add(slug: string, kind: GradingKind, ms: number): void {
    let cost = this.costs.get(slug);
    if (!cost) {
      cost = Object.fromEntries(KINDS.map((k) => [k, { gradings: 0, seconds: 0 }])) as ExerciseCost;
      this.costs.set(slug, cost);
    }
    cost[kind].gradings++;
    cost[kind].seconds += ms / 1000;
  }

  /** e.g. "cost: 21 gradings, 172 s of grading (solution 22 s, stub 14 s, 19 wrong solutions 136 s)". */
  line(slug: string): string | undefined {
    const cost = this.costs.get(slug);
    if (!cost) return undefined;
    const { gradings, seconds } = total(cost);
    return (
      `cost: ${gradings} gradings, ${s(seconds)} of grading (solution ${s(cost.solution.seconds)}, ` +
      `stub ${s(cost.stub.seconds)}, ${cost.wrong.gradings} wrong solutions ${s(cost.wrong.seconds)})`
    );
  }

  /** e.g. "grading time: 1191 s over 6 exercises (199 s an exercise on average), 612 s wall at 2 at a time". */
  summary(jobs: number, wallSeconds: number): string | undefined {
    if (this.costs.size === 0) return undefined;
    const seconds = [...this.costs.values()].reduce((sum, cost) => sum + total(cost).seconds, 0);
    return (
      `grading time: ${s(seconds)} over ${this.costs.size} exercises ` +
      `(${s(seconds / this.costs.size)} an exercise on average), ${s(wallSeconds)} wall at ${jobs} at a time`
    );
  }

  toJSON(): Record<string, ExerciseCost> {
    return Object.fromEntries(this.costs);
  }
}

function total(cost: ExerciseCost): KindCost {
  return {
    gradings: KINDS.reduce((sum, k) => sum + cost[k].gradings, 0),
    seconds: KINDS.reduce((sum, k) => sum + cost[k].seconds, 0),
  };
}
