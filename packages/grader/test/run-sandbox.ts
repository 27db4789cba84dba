import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

export const FIXTURES = path.join(__dirname, "fixtures", "exercises");
const BIN = path.join(__dirname, "..", "bin", "sandbox.js");

export interface SandboxRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** A fresh folder for learner state, reports or scratch exercises. */
export function scratchDir(name: string): string {
  return mkdtempSync(path.join(tmpdir(), `grader-test-${name}-`));
}

/**
 * Runs the real CLI (bin/sandbox.js) against the fixture exercises, as a learner or CI would.
 * Services given to this Jest run by the testkit are passed on, so the CLI attaches to them.
 */
export function sandbox(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  cwd = path.join(__dirname, ".."),
): Promise<SandboxRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      {
        cwd,
        env: {
          ...process.env,
          SANDBOX_EXERCISES_DIR: FIXTURES,
          SANDBOX_MEMORY_LIMIT_MB: "320",
          CI: "1",
          // The runs under test are not the project's own: keep them out of CI's totals.
          SANDBOX_RESULTS_DIR: "",
          ...env,
        },
        maxBuffer: 20 * 1024 * 1024,
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** Processes still running whose environment carries `marker`: anything a run left behind. */
export function processesMarked(marker: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      if (readFileSync(`/proc/${pid}/environ`, "latin1").includes(marker))
        found.push(`${pid} ${readFileSync(`/proc/${pid}/cmdline`, "latin1").replace(/\0/g, " ")}`);
    } catch {
      // ended while we looked
    }
  }
  return found;
}
