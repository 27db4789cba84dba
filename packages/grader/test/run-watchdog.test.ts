import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { runProcesses, sweepRun } from "../src/run/run-watchdog";

const WATCHDOG = path.join(__dirname, "../src/run/run-watchdog.js");
const alive = (pid: number) => {
  try {
    return !/^\S+ \S+ [ZX] /.test(
      readFileSync(`/proc/${pid}/stat`, "latin1").replace(/\(.*\)/, "x"),
    );
  } catch {
    return false;
  }
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A run like Jest's: a group leader that starts a setsid'd helper, a stopped helper, and a helper
 * of the setsid'd one that drops the marker from its environment; then the leader exits.
 */
async function fakeRun(): Promise<{ leader: number; marker: string; pids: number[] }> {
  const marker = randomUUID();
  const script = `
    const { spawn } = require("node:child_process");
    const keep = { stdio: "ignore", detached: true };
    const a = spawn("sleep", ["300"], keep);
    const b = spawn("sh", ["-c", "kill -STOP $$; sleep 300"], { stdio: "ignore" });
    const c = spawn("sh", ["-c", "env -i sleep 300 & echo $!; wait"], { ...keep, stdio: ["ignore", "pipe", "ignore"] });
    c.stdout.once("data", (d) => { console.log([a.pid, b.pid, c.pid, Number(d)].join(" ")); process.exit(0); });`;
  const leader = spawn(process.execPath, ["-e", script], {
    detached: true,
    env: { ...process.env, SANDBOX_RUN_MARKER: marker },
    stdio: ["ignore", "pipe", "ignore"],
  });
  const line = await new Promise<string>((resolve) =>
    leader.stdout.once("data", (d: Buffer) => resolve(d.toString())),
  );
  await new Promise((resolve) => leader.once("exit", resolve));
  return { leader: leader.pid!, marker, pids: line.trim().split(" ").map(Number) };
}

describe("sweeping a run", () => {
  it("kills setsid'd, stopped and marker-less descendants after the leader exited", async () => {
    const run = await fakeRun();
    expect(run.pids.every(alive)).toBe(true);
    expect(runProcesses(run).sort()).toEqual([...run.pids].sort());
    // The group goes first, with one signal; the three outside it are killed one by one (a group
    // member not yet dead at the scan is counted too).
    expect(sweepRun(run)).toBeGreaterThanOrEqual(3);
    await sleep(100);
    expect(run.pids.filter(alive)).toEqual([]);
  });

  it("the watchdog sweeps at the deadline and resumes a stopped grader", async () => {
    const run = await fakeRun();
    // A stand-in for a grader that a test stopped: the watchdog's parent, stopped.
    const grader = spawn(
      process.execPath,
      [
        "-e",
        `const w = require("node:child_process").spawn(process.execPath, [${JSON.stringify(WATCHDOG)}, String(process.pid), "${run.leader}", "${run.marker}", String(Date.now() + 500)], { stdio: "inherit" });
         w.on("exit", (code) => { console.log("watchdog exited " + code); process.exit(0); });
         process.kill(process.pid, "SIGSTOP");`,
      ],
      { stdio: ["ignore", "pipe", "ignore"] },
    );
    const said = await new Promise<string>((resolve) =>
      grader.stdout.once("data", (d: Buffer) => resolve(d.toString())),
    );
    expect(said.trim()).toBe("watchdog exited 3");
    expect(run.pids.filter(alive)).toEqual([]);
  });
});
