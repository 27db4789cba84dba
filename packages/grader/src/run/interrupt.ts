/**
 * Runs `cleanup` on Ctrl-C or SIGTERM, then exits 130, so that services and child process groups
 * never outlive the grader. Returns a function that stops listening.
 */
export function onInterrupt(cleanup: () => Promise<void>): () => void {
  let running = false;
  const handler = (signal: NodeJS.Signals) => {
    if (running) return;
    running = true;
    process.stderr.write(`\n${signal}: stopping the tests and the services...\n`);
    cleanup().finally(() => process.exit(130));
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
  return () => {
    process.off("SIGINT", handler);
    process.off("SIGTERM", handler);
  };
}
