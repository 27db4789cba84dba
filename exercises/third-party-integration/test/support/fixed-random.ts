// A `random()` for the client that always returns one value.
import { manualClock } from "@backend-sandbox/testkit";

/**
 * `random` runs in the learner's process, where the client calls it synchronously. A test's own
 * function would cross as an asynchronous callback (its result a Promise); a manual clock's `now`
 * crosses as a synchronous reader of a value this process writes. A clock that stands still at
 * `value` is a `random()` that always returns `value`.
 */
export function fixedRandom(value: number): () => number {
  return manualClock(value).now;
}
