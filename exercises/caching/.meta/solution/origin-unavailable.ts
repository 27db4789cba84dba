/** The origin (Postgres) failed: the app answers 503, and the failure is never cached as data. */
export class OriginUnavailable extends Error {
  override name = "OriginUnavailable";
}

export async function fromOrigin<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw new OriginUnavailable("the product store failed", { cause: error });
  }
}
