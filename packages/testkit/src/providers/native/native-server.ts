import { spawn, type ChildProcess } from "node:child_process";
import { openSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { Reaper } from "../../reaper";
import { waitUntilReady } from "../../readiness";
import { ServiceError, type ServiceHandle, type ServiceKind } from "../provider";
import { descendantsOf } from "./process-tree";
import { runAs } from "./unprivileged";

/** A server that exited before it answered: bad settings, or its port taken (native.ts starts it again). */
export class ServerExitedAtStartUp extends ServiceError {}

/** Starts a server binary in its own process group, as the servers' user, logging to its folder. */
export function spawnServer(binary: string, args: string[], dir: string): ChildProcess {
  const log = openSync(join(dir, "server.log"), "a");
  // detached: its own process group, so pause/resume reach every backend it forks,
  // and a Ctrl-C in the terminal does not kill it before the reaper can tidy up.
  const child = spawn(binary, args, { detached: true, stdio: ["ignore", log, log], ...runAs() });
  child.unref();
  return child;
}

/** A server process of this machine: start, stop, pause and resume by signals; dispose ends it and its folder. */
export class NativeServer implements ServiceHandle {
  private exited: Promise<void> = Promise.resolve();
  private constructor(
    readonly kind: ServiceKind,
    readonly url: string,
    private readonly dir: string,
    private readonly launch: () => ChildProcess,
    private child?: ChildProcess,
  ) {}

  static async start(kind: ServiceKind, url: string, dir: string, launch: () => ChildProcess) {
    const server = new NativeServer(kind, url, dir, launch);
    await server.start();
    return server;
  }

  async start(): Promise<void> {
    const child = this.launch();
    this.child = child;
    this.exited = new Promise((resolve) => child.once("exit", () => resolve()));
    Reaper.forThisProcess().track({ pid: child.pid! });
    const startUp = new AbortController();
    const died = this.exited.then(() => {
      throw new ServerExitedAtStartUp(`${this.kind} exited during start-up`);
    });
    try {
      // A server that dies at start-up (bad config, permissions) fails at once, not after the
      // timeout, and the readiness probe stops polling with it.
      await Promise.race([waitUntilReady(this.kind, this.url, 60_000, startUp.signal), died]);
    } catch (error) {
      startUp.abort();
      const log = readFileSync(join(this.dir, "server.log"), "utf8")
        .trim()
        .split("\n")
        .slice(-5)
        .join("\n");
      // No one will hold this server: it goes, with its folder, before the error is told.
      await this.dispose();
      const Told = error instanceof ServerExitedAtStartUp ? ServerExitedAtStartUp : ServiceError;
      throw new Told(`${(error as Error).message}\n${this.kind} said:\n${log}`);
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    this.signalGroup("SIGCONT");
    // SIGINT is Postgres' fast shutdown; Redis exits on it too, without saving (save is off).
    child.kill("SIGINT");
    await this.exited;
    Reaper.forThisProcess().untrack({ pid: child.pid! });
  }

  async pause(): Promise<void> {
    this.signalGroup("SIGSTOP");
  }

  async resume(): Promise<void> {
    this.signalGroup("SIGCONT");
  }

  async dispose(): Promise<void> {
    if (this.child && this.child.exitCode === null) {
      this.signalGroup("SIGCONT");
      // SIGQUIT: Postgres' immediate shutdown, which still releases its shared memory.
      this.child.kill("SIGQUIT");
      const killer = setTimeout(() => this.signalGroup("SIGKILL"), 3000);
      await this.exited;
      clearTimeout(killer);
      Reaper.forThisProcess().untrack({ pid: this.child.pid! });
    }
    rmSync(this.dir, { recursive: true, force: true, maxRetries: 5 });
    Reaper.forThisProcess().untrack({ dir: this.dir });
  }

  /** Signals the server and every process it forked (Postgres backends call setsid, so a group kill misses them). */
  private signalGroup(signal: NodeJS.Signals): void {
    if (!this.child?.pid || this.child.exitCode !== null) return;
    for (const pid of [this.child.pid, ...descendantsOf(this.child.pid)]) {
      try {
        process.kill(pid, signal);
      } catch {
        // already gone
      }
    }
  }
}
