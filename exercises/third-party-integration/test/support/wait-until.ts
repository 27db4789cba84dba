// Polls a condition until it holds, for at most `ms`; then fails saying what did not happen.
import { ExpectationError } from "@backend-sandbox/testkit";

export async function waitUntil(ms: number, what: string, condition: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new ExpectationError(`expected ${what} within ${ms} ms; it had not happened by then`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
