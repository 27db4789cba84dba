import { spawn, type ChildProcess } from "node:child_process";
import { sweepRun } from "./run-watchdog";

const WATCHDOG = require.resolve("./run-watchdog.js");
/** How long the pipes may stay open after Jest exited and its run was swept. */
const CLOSE_GRACE_MS = 2_000;
/** Kept from the child's output for error reasons; enough for a stack trace, not a flood. */
const OUTPUT_TAIL = 8_000;

export interface SpawnOutcome {
  code: number | null;
  signal: string | null;
  timedOut: boolean;
  output: string;
}

/**
 * Runs Jest as the leader of a new session and process group, and enforces the deadline twice:
 * with a timer here, and with a watchdog process (run-watchdog.js) that still fires when this
 * process is stopped (SIGSTOP from a test running in band, whose parent is the grader) and then
 * resumes it. Either way the whole run is swept with SIGKILL (sweepRun: group, session, marked
 * environment, descendants), which ends stopped processes too. When Jest exits by itself the run
 * is swept as well, so nothing it started (setsid'd helpers included) outlives it.
 *
 * `args` are node's arguments; `env` must carry `SANDBOX_RUN_MARKER=<limit.marker>`; `deadline`
 * is epoch ms. Resolves once Jest exited and its pipes closed (or CLOSE_GRACE_MS after it exited);
 * `timedOut` when the run was killed at or after the deadline; rejects only if node cannot start.
 */
export function spawnRun(
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
  limit: { deadline: number; marker: string },
  signal?: AbortSignal,
): Promise<SpawnOutcome> {
  return new Promise((resolve, reject) => {
    // detached: the child leads a session and process group, so killing -pid also ends Jest's
    // workers and anything a submission started, and Ctrl-C in the terminal reaches the grader first.
    const child = spawn(process.execPath, args, {
      cwd,
      env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-OUTPUT_TAIL);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    const watchdog = child.pid ? startWatchdog(child.pid, limit) : undefined;
    let timedOut = false;
    let exited = false;
    const sweep = () => {
      if (child.pid) sweepRun({ leader: child.pid, marker: limit.marker });
    };
    const timer = setTimeout(
      () => {
        timedOut = true;
        sweep();
      },
      Math.max(0, limit.deadline - Date.now()),
    );
    const onAbort = () => sweep();
    signal?.addEventListener("abort", onAbort);
    let settled = false;
    const settle = (code: number | null, exitSignal: string | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(closeGrace);
      signal?.removeEventListener("abort", onAbort);
      watchdog?.kill("SIGKILL");
      // Killed at or after the deadline, whether by our timer or by the watchdog while this
      // process was stopped (then our timer may not have run yet).
      if (exitSignal === "SIGKILL" && Date.now() >= limit.deadline) timedOut = true;
      resolve({ code, signal: exitSignal, timedOut, output });
    };
    let closeGrace: NodeJS.Timeout | undefined;
    child.on("error", (error) => {
      clearTimeout(timer);
      watchdog?.kill("SIGKILL");
      reject(error);
    });
    // Jest is done; whatever it or the submission left running goes too (and with it any
    // grandchild that still holds our pipes open, which would delay "close"). A process that
    // escaped the sweep and holds the pipes does not hold up grading: after a grace period the
    // pipes are dropped.
    child.on("exit", (code, exitSignal) => {
      exited = true;
      sweep();
      closeGrace = setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        settle(code, exitSignal);
      }, CLOSE_GRACE_MS);
    });
    child.on("close", (code, exitSignal) => {
      if (exited) settle(code, exitSignal);
    });
  });
}

/** The deadline's second enforcer, outside this process's event loop (run-watchdog.js). */
function startWatchdog(leader: number, limit: { deadline: number; marker: string }): ChildProcess {
  const env = { ...process.env };
  delete env.SANDBOX_RUN_MARKER;
  delete env.NODE_OPTIONS;
  const watchdog = spawn(
    process.execPath,
    [WATCHDOG, String(process.pid), String(leader), limit.marker, String(limit.deadline)],
    { detached: true, stdio: "ignore", env },
  );
  // It must not keep the grader alive, nor be waited for.
  watchdog.unref();
  return watchdog;
}
