/** The origin (Postgres) failed: the app answers 503, and the failure is never cached as data. */
export class OriginUnavailable extends Error {
  // Stryker disable next-line StringLiteral: a name for stack traces; the app tells this error by instanceof and never shows it
  override name = "OriginUnavailable";
}

export async function fromOrigin<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    // Stryker disable next-line StringLiteral,ObjectLiteral: the app answers the 503 with a detail of its own; this message and its cause are for a debugger, never shown
    throw new OriginUnavailable("the product store failed", { cause: error });
  }
}
