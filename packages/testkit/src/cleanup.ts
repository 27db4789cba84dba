/**
 * What a test file started and must end: clients, servers, dedicated services. The testkit's
 * setup file runs these after the file's last test, newest first, whatever the tests did.
 */
type Cleanup = () => Promise<unknown> | unknown;
const cleanups: Cleanup[] = [];

export function onCleanup(cleanup: Cleanup): void {
  cleanups.push(cleanup);
}

export async function runCleanups(): Promise<void> {
  const errors: unknown[] = [];
  while (cleanups.length > 0) {
    const cleanup = cleanups.pop()!;
    try {
      await cleanup();
    } catch (error) {
      errors.push(error);
    }
  }
  if (errors.length > 0) throw errors[0];
}
