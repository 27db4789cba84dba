/** What a promise rejects with, or undefined when it fulfils: for asserting on an expected failure. */
export function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}
