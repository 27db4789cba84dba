/**
 * Assertion helpers whose failure messages speak in the learner's terms: what behaviour was
 * expected and what was seen. Jest's own matchers stay available inside `because`.
 */
export class ExpectationError extends Error {
  override name = "ExpectationError";
}

/** Runs Jest assertions and, if they fail, puts `expected` (a behaviour, in words) first. */
export function because<T>(expected: string, assertions: () => T): T {
  try {
    return assertions();
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new ExpectationError(`${expected}\n\n${detail}`);
  }
}

/**
 * Resolves with the promise's value, or fails saying `what` did not happen within `ms`.
 * `ruledOut`, when given, settles once `what` can no longer happen (e.g. the request that should
 * have reached the origin has already been answered); its value, or its error's message, says
 * why, and the wait fails at once instead of running out its `ms` (a stub fails in milliseconds).
 */
export async function within<T>(
  ms: number,
  what: string,
  promise: Promise<T>,
  ruledOut?: Promise<string>,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new ExpectationError(`expected ${what} within ${ms} ms; it had not happened by then`),
        ),
      ms,
    );
  });
  const impossible = ruledOut?.then(
    (why) => Promise.reject(new ExpectationError(`expected ${what}, but ${why}`)),
    (error: unknown) =>
      Promise.reject(
        new ExpectationError(
          `expected ${what}, but ${error instanceof Error ? error.message : String(error)}`,
        ),
      ),
  );
  impossible?.catch(() => {}); // only the race below reports it
  try {
    return await Promise.race([promise, timeout, ...(impossible ? [impossible] : [])]);
  } finally {
    clearTimeout(timer);
  }
}

/** Measures how long an async step takes, in milliseconds. */
export async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}
