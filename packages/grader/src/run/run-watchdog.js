// Plain CommonJS on purpose: the grader starts this file as a process of its own with `node`
// (no TypeScript loader, so it is up in ~50 ms), and run-jest.ts imports sweepRun from it.
"use strict";
const { readdirSync, readFileSync } = require("node:fs");

/**
 * Kills every process of one Jest run with SIGKILL (which also ends a stopped process), in rounds
 * until a scan finds none left (at most 50 rounds, 20 ms apart), so a process forking while it
 * is killed is caught by the next round. A process belongs to the run when, read from /proc:
 * - its process group or session is the Jest child's (`leader`: spawned detached, so it leads both);
 * - or its environment holds `SANDBOX_RUN_MARKER=<marker>` (inherited across `setsid` and forks);
 * - or its parent is such a process.
 * Zombies are skipped (they are dead already). Returns how many processes were sent SIGKILL one
 * by one (the group's members are not counted; a process found again is counted once).
 * Escapes this: a process that detaches from the group and session, drops the marker from its
 * environment and whose parent is gone. Linux only; elsewhere only the group is killed.
 *
 * @param {{ leader: number; marker: string }} run
 * @returns {number}
 */
function sweepRun(run) {
  const killed = new Set();
  try {
    process.kill(-run.leader, "SIGKILL");
  } catch {
    // the group is gone already
  }
  for (let round = 0; round < 50; round++) {
    const found = runProcesses(run);
    if (found.length === 0) break;
    for (const pid of found) {
      try {
        process.kill(pid, "SIGKILL");
        killed.add(pid);
      } catch {
        // ended on its own meanwhile
      }
    }
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  }
  return killed.size;
}

/**
 * @param {{ leader: number; marker: string }} run
 * @returns {number[]}
 */
function runProcesses(run) {
  /** @type {{ pid: number; ppid: number; member: boolean }[]} */
  const processes = [];
  let pids;
  try {
    pids = readdirSync("/proc").filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
  const needle = Buffer.from(`SANDBOX_RUN_MARKER=${run.marker}\0`);
  for (const name of pids) {
    const pid = Number(name);
    if (pid === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
      // fields after the command name, which may itself hold spaces and parentheses
      const [state, ppid, pgrp, session] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (state === "Z" || state === "X") continue;
      let member = Number(pgrp) === run.leader || Number(session) === run.leader;
      if (!member) {
        try {
          member = readFileSync(`/proc/${pid}/environ`).includes(needle);
        } catch {
          // another user's process: not ours to read, nor to kill
        }
      }
      processes.push({ pid, ppid: Number(ppid), member });
    } catch {
      // ended while we looked
    }
  }
  const members = new Set(processes.filter((p) => p.member).map((p) => p.pid));
  for (let grew = true; grew;) {
    grew = false;
    for (const p of processes)
      if (!members.has(p.pid) && members.has(p.ppid)) {
        members.add(p.pid);
        grew = true;
      }
  }
  return [...members];
}

/**
 * As a process: `node run-watchdog.js <graderPid> <leader> <marker> <deadline epoch ms>`. The
 * time limit enforced from outside the grader's event loop: a test that stops the grader with
 * SIGSTOP (its parent when Jest runs in band) cannot stop this. At the deadline it sweeps the run
 * (sweepRun), sends the grader SIGCONT and exits with code 3. If the grader dies first it sweeps
 * and exits 0; the grader ends it with SIGKILL when the run ends in time.
 */
function main([graderPid, leader, marker, deadline]) {
  const run = { leader: Number(leader), marker };
  setTimeout(
    () => {
      sweepRun(run);
      try {
        process.kill(Number(graderPid), "SIGCONT");
      } catch {
        // the grader is gone
      }
      process.exit(3);
    },
    Math.max(0, Number(deadline) - Date.now()),
  );
  // A dead grader's children are reparented: then nobody else will clean up.
  setInterval(() => {
    if (process.ppid !== Number(graderPid)) {
      sweepRun(run);
      process.exit(0);
    }
  }, 1000);
}

if (require.main === module) main(process.argv.slice(2));

module.exports = { sweepRun, runProcesses };
