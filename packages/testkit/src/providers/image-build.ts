import { existsSync, readFileSync } from "node:fs";
import { waitFor } from "../wait-for";

/**
 * The variable naming the file a build of the service images running beside this process writes
 * its exit status to when it ends (`.ci/run` builds them while npm ci, the typecheck and lint run,
 * none of which needs a service).
 */
export const IMAGE_BUILD_STATUS_VARIABLE = "SANDBOX_IMAGE_BUILD_STATUS";

/** How often the status file is looked for, in milliseconds. */
const POLL_MS = 500;

const waits = new Map<string, Promise<void>>();

/**
 * Resolves once the service images a build beside this process makes are there: at once when
 * SANDBOX_IMAGE_BUILD_STATUS is unset, else when the file it names holds the build's exit status
 * 0 (written whole, by a rename). Rejects when the status is not 0 or no status came within
 * `timeoutMs` (default 10 minutes), with a message naming the variable and the file. Every later
 * call for the same file returns the same promise.
 */
export function imageBuildEnded(
  env: NodeJS.ProcessEnv = process.env,
  timeoutMs = 10 * 60_000,
): Promise<void> {
  const file = env[IMAGE_BUILD_STATUS_VARIABLE];
  if (!file) return Promise.resolve();
  let wait = waits.get(file);
  if (!wait) waits.set(file, (wait = waitForStatus(file, timeoutMs)));
  return wait;
}

async function waitForStatus(file: string, timeoutMs: number): Promise<void> {
  await waitFor(
    `the status of the service images' build, which ${IMAGE_BUILD_STATUS_VARIABLE} names ${file}`,
    async () => existsSync(file),
    timeoutMs,
    POLL_MS,
  );
  const status = readFileSync(file, "utf8").trim();
  if (status !== "0")
    throw new Error(
      `the service images' build failed (exit status ${status}, from ${file}): see its output above`,
    );
}
