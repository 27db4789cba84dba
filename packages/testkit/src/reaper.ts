import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";

export type Resource =
  { container: string } | { label: string } | { pid: number } | { dir: string };

/**
 * The owner's side of the reaper (see reaper-process.js): registers what this process starts, so
 * that it is removed even if this process is killed. One reaper per process, started lazily.
 */
export class Reaper {
  private static instance: Reaper | undefined;
  private constructor(private readonly child: ChildProcess) {}

  static forThisProcess(): Reaper {
    if (!Reaper.instance || Reaper.instance.child.exitCode !== null) {
      // detached: a Ctrl-C aimed at our process group must not take the reaper down with us.
      const child = spawn(process.execPath, [join(__dirname, "reaper-process.js")], {
        detached: true,
        stdio: ["pipe", "ignore", "ignore"],
      });
      child.unref();
      child.stdin?.on("error", () => {});
      // Let this process exit while the pipe is open: its closing is the reaper's signal.
      (child.stdin as unknown as { unref?: () => void }).unref?.();
      Reaper.instance = new Reaper(child);
    }
    return Reaper.instance;
  }

  track(resource: Resource): void {
    this.child.stdin?.write(JSON.stringify({ add: resource }) + "\n");
  }

  untrack(resource: Resource): void {
    this.child.stdin?.write(JSON.stringify({ remove: resource }) + "\n");
  }
}
