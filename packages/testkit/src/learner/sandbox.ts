import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";

/** What a sealed learner's process sees and may use (docs/grading.md, "What a sealed run guarantees"). */
export interface SandboxPlan {
  /** The folder of the code under test; mounted read-only at SANDBOX_SOURCE_MOUNT. */
  sourceDir: string;
  /** The exercise's own node_modules, if it has one; mounted read-only beside the source. */
  exerciseModules?: string;
  /** Read-only at their own paths: Node, the repository's node_modules, the testkit. */
  readOnly: string[];
  /** Writable, at SANDBOX_BRIDGE_MOUNT: the Unix sockets that carry TCP in and out. */
  bridgeDir: string;
  /** Read-only, at SANDBOX_CLOCKS_MOUNT: manual clocks the test process writes. */
  clocksDir: string;
  /**
   * Writable, where tsx keeps its transforms (`/tmp/tsx-<uid>`): the run's transform cache, shared
   * by its sealed processes (run-scratch.ts), or none: a cache in the process's own `/tmp`.
   */
  transformCache?: string;
  /** Read-only, at SANDBOX_TRANSFORMS_MOUNT: the learner's code compiled ahead (make-transforms-ahead.ts). */
  transformsAhead?: string;
  /** The command to run inside, e.g. [node, ...flags, host.ts]. */
  command: string[];
}

export const SANDBOX_SOURCE_MOUNT = "/sandbox/exercise/src";
export const SANDBOX_BRIDGE_MOUNT = "/sandbox/bridge";
export const SANDBOX_CLOCKS_MOUNT = "/sandbox/clocks";
export const SANDBOX_TRANSFORMS_MOUNT = "/sandbox/transforms";

/** Limits of a sealed learner's process: processes (RLIMIT_NPROC), open files, file size (bytes), V8 heap (MiB). */
export const SANDBOX_LIMITS = Object.freeze({
  processes: 256,
  openFiles: 4096,
  fileSizeBytes: 256 * 1024 * 1024,
  /** The default; SANDBOX_MEMORY_LIMIT_MB (the grader's limit for Jest too) overrides it. */
  heapMiB: 1024,
});

/** The V8 heap limit of a learner's process in MiB: SANDBOX_MEMORY_LIMIT_MB when set (at least 128), else 1024. */
export function heapLimitMiB(env: NodeJS.ProcessEnv = process.env): number {
  const value = Number(env.SANDBOX_MEMORY_LIMIT_MB);
  return Number.isFinite(value) && value >= 128 ? value : SANDBOX_LIMITS.heapMiB;
}

/**
 * Why this machine cannot seal a run, or undefined when it can: bubblewrap (Debian package
 * `bubblewrap`) must be installed and able to make PID and network namespaces; as root, util-linux's
 * `setpriv` drops to an unprivileged user inside.
 */
export function whySealingIsImpossible(): string | undefined {
  if (process.platform !== "linux")
    return `sealed runs need Linux namespaces (this is ${process.platform}); local learning works unsealed`;
  const probe = spawnSync("bwrap", [...isolation(), "--ro-bind", "/", "/", "--", "true"], {
    encoding: "utf8",
    timeout: 10_000,
  });
  if (probe.error)
    return "bubblewrap is not installed (Debian/Ubuntu: apt-get install bubblewrap; Fedora: dnf install bubblewrap)";
  if (probe.status !== 0)
    return `bubblewrap cannot make namespaces here: ${probe.stderr.trim() || `exit ${probe.status}`} (user namespaces may be disabled: sysctl kernel.unprivileged_userns_clone=1)`;
  if (process.getuid?.() === 0 && !setprivPath())
    return "setpriv (util-linux) is missing: a sealed run as root needs it to drop to an unprivileged user";
  return undefined;
}

let setpriv: { path: string | undefined } | undefined;

/** util-linux's `setpriv` on this machine (looked up once), or undefined. */
export function setprivPath(): string | undefined {
  setpriv ??= { path: ["/usr/bin/setpriv", "/bin/setpriv"].find((file) => existsSync(file)) };
  return setpriv.path;
}

function isolation(): string[] {
  const asRoot = process.getuid?.() === 0;
  return [
    "--die-with-parent",
    "--new-session",
    "--unshare-pid",
    "--unshare-net",
    "--unshare-ipc",
    "--unshare-uts",
    "--unshare-cgroup-try",
    // Root drops to a user of its own below; anyone else gets a user namespace.
    ...(asRoot ? [] : ["--unshare-user"]),
  ];
}

/** An unprivileged uid for one sealed process: its own, so it can signal no other and has its own process count. */
function sandboxUid(): number {
  return 200_000 + Math.floor(Math.random() * 100_000);
}

/** What a process needs of the system: shared libraries and tools, OpenSSL's configuration. */
const SYSTEM_FOLDERS = ["/usr", "/etc/alternatives", "/etc/ssl"];

/** Every folder above `dirs`, outermost first, without repeats. */
function ancestors(dirs: string[]): string[] {
  const all = new Set<string>();
  for (const dir of dirs) {
    const chain: string[] = [];
    for (let up = path.dirname(dir); up !== path.dirname(up); up = path.dirname(up))
      chain.unshift(up);
    chain.forEach((up) => all.add(up));
  }
  return [...all].filter((dir) => !["/usr", "/tmp", "/proc", "/dev"].includes(dir));
}

/** The bubblewrap command line (argv) that runs `plan.command` sealed. */
export function sandboxCommand(plan: SandboxPlan): string[] {
  const uid = sandboxUid();
  const mounts = [
    // Parent folders bubblewrap makes for a mount point would be root's alone (0700 under /root).
    ...ancestors([
      ...SYSTEM_FOLDERS,
      ...plan.readOnly,
      SANDBOX_SOURCE_MOUNT,
      SANDBOX_BRIDGE_MOUNT,
      SANDBOX_CLOCKS_MOUNT,
      SANDBOX_TRANSFORMS_MOUNT,
    ]).flatMap((dir) => ["--perms", "0755", "--dir", dir]),
    ...SYSTEM_FOLDERS.flatMap((dir) => ["--ro-bind-try", dir, dir]),
    ...["lib", "lib64", "bin", "sbin"].flatMap((dir) => ["--symlink", `usr/${dir}`, `/${dir}`]),
    "--proc",
    "/proc",
    "--dev",
    "/dev",
    "--perms",
    "1777",
    "--tmpfs",
    "/tmp",
    ...plan.readOnly.flatMap((dir) => ["--ro-bind", dir, dir]),
    "--ro-bind",
    plan.sourceDir,
    SANDBOX_SOURCE_MOUNT,
    ...(plan.exerciseModules
      ? ["--ro-bind", plan.exerciseModules, path.join(SANDBOX_SOURCE_MOUNT, "../node_modules")]
      : []),
    ...(plan.transformCache
      ? [
          "--bind",
          plan.transformCache,
          `/tmp/tsx-${process.getuid?.() === 0 ? uid : process.getuid?.()}`,
        ]
      : []),
    "--bind",
    plan.bridgeDir,
    SANDBOX_BRIDGE_MOUNT,
    "--ro-bind",
    plan.clocksDir,
    SANDBOX_CLOCKS_MOUNT,
    ...(plan.transformsAhead ? ["--ro-bind", plan.transformsAhead, SANDBOX_TRANSFORMS_MOUNT] : []),
    "--chdir",
    path.dirname(SANDBOX_SOURCE_MOUNT),
  ];
  const dropPrivileges =
    process.getuid?.() === 0
      ? [
          "setpriv",
          `--reuid=${uid}`,
          `--regid=${uid}`,
          "--clear-groups",
          "--inh-caps=-all",
          "--bounding-set=-all",
          "--no-new-privs",
        ]
      : [];
  const limits = [
    "prlimit",
    `--nproc=${SANDBOX_LIMITS.processes}`,
    `--nofile=${SANDBOX_LIMITS.openFiles}`,
    `--fsize=${SANDBOX_LIMITS.fileSizeBytes}`,
  ];
  return ["bwrap", ...isolation(), ...mounts, "--", ...dropPrivileges, ...limits, ...plan.command];
}
