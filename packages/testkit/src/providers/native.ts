import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import {
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
} from "node:fs";
import { homedir, tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { freePort } from "../free-port";
import { Reaper } from "../reaper";
import { waitUntilReady } from "../readiness";
import {
  ServiceError,
  TEST_POSTGRES_SETTINGS,
  type Provider,
  type ServiceHandle,
  type ServiceKind,
} from "./provider";

// Postgres refuses to run as root; when we are root, servers run as this unprivileged user.
const NOBODY = { uid: 65534, gid: 65534 };
const runAs = () => (process.getuid?.() === 0 ? NOBODY : undefined);

/** Where the binaries are, or undefined when this machine has none. */
export function findNativeBinaries(env = process.env): {
  redisServer?: string;
  postgresBin?: string;
} {
  const redisServer = env.SANDBOX_REDIS_SERVER || onPath("redis-server", env);
  return { redisServer, postgresBin: env.SANDBOX_POSTGRES_BIN || findPostgresBin(env) };
}

function onPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

function findPostgresBin(env: NodeJS.ProcessEnv): string | undefined {
  const initdb = onPath("initdb", env);
  if (initdb) return dirname(realpathSync(initdb));
  // Debian and Ubuntu keep server binaries off PATH, one folder per major version.
  const root = env.SANDBOX_POSTGRES_ROOT ?? "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, "bin", "initdb")));
  versions.sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], "bin") : undefined;
}

/** Runs `redis-server` and `postgres` from this machine on free loopback ports. */
export class NativeProvider implements Provider {
  readonly name = "native";

  async startRedis(): Promise<ServiceHandle> {
    const binary = findNativeBinaries().redisServer;
    if (!binary)
      throw new ServiceError(
        "redis-server not found: install it (apt-get install redis-server) or set SANDBOX_REDIS_SERVER",
      );
    const dir = makeServiceDir("redis");
    const port = await freePort();
    const args = [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
      "--protected-mode",
      "no",
      "--dir",
      dir,
      "--logfile",
      join(dir, "redis.log"),
    ];
    return NativeServer.start("redis", `redis://127.0.0.1:${port}`, dir, () =>
      spawnServer(binary, args, dir),
    );
  }

  async startPostgres(): Promise<ServiceHandle> {
    const bin = findNativeBinaries().postgresBin;
    if (!bin)
      throw new ServiceError(
        "Postgres server binaries not found: install postgresql or set SANDBOX_POSTGRES_BIN to the folder holding initdb and postgres",
      );
    const dir = makeServiceDir("postgres");
    const data = join(dir, "data");
    // cp -a keeps the 0700 mode Postgres insists on for its data folder.
    execFileSync("cp", ["-a", postgresTemplate(bin), data]);
    chownForServer(dir);
    const port = await freePort();
    const args = [
      "-D",
      data,
      "-p",
      String(port),
      "-k",
      dir,
      "-c",
      "listen_addresses=127.0.0.1",
      ...TEST_POSTGRES_SETTINGS,
    ];
    const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
    return NativeServer.start("postgres", url, dir, () =>
      spawnServer(join(bin, "postgres"), args, dir),
    );
  }
}

function makeServiceDir(kind: ServiceKind): string {
  const dir = mkdtempSync(join(tmpdir(), `backend-sandbox-${kind}-`));
  Reaper.forThisProcess().track({ dir });
  chownForServer(dir);
  return dir;
}

function chownForServer(dir: string): void {
  const user = runAs();
  if (!user) return;
  execFileSync("chown", ["-R", `${user.uid}:${user.gid}`, dir]);
}

/** initdb takes seconds; it runs once per machine and later servers copy the result. */
function postgresTemplate(bin: string): string {
  const version = bin.split("/").filter(Boolean).at(-2) ?? "pg";
  const cache = join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "backend-sandbox");
  const template = join(cache, `pgdata-template-${version}`);
  if (existsSync(join(template, "PG_VERSION"))) return template;
  const staging = mkdtempSync(join(tmpdir(), "backend-sandbox-initdb-"));
  chownForServer(staging);
  execFileSync(
    join(bin, "initdb"),
    [
      "-D",
      join(staging, "data"),
      "-U",
      "postgres",
      "--auth=trust",
      "--encoding=UTF8",
      "--locale=C.UTF-8",
      "--no-sync",
    ],
    { stdio: "pipe", ...runAs() },
  );
  execFileSync("mkdir", ["-p", cache]);
  try {
    renameSync(join(staging, "data"), template);
  } catch {
    // Another process won the race; its template is as good as ours.
  }
  rmSync(staging, { recursive: true, force: true });
  return template;
}

function spawnServer(binary: string, args: string[], dir: string): ChildProcess {
  const log = openSync(join(dir, "server.log"), "a");
  // detached: its own process group, so pause/resume reach every backend it forks,
  // and a Ctrl-C in the terminal does not kill it before the reaper can tidy up.
  const child = spawn(binary, args, { detached: true, stdio: ["ignore", log, log], ...runAs() });
  child.unref();
  return child;
}

class NativeServer implements ServiceHandle {
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
    const died = this.exited.then(() => {
      throw new ServiceError(`${this.kind} exited during start-up`);
    });
    try {
      // A server that dies at start-up (bad config, permissions) fails at once, not after the timeout.
      await Promise.race([waitUntilReady(this.kind, this.url), died]);
    } catch (error) {
      const log = readFileSync(join(this.dir, "server.log"), "utf8")
        .trim()
        .split("\n")
        .slice(-5)
        .join("\n");
      throw new ServiceError(`${(error as Error).message}\n${this.kind} said:\n${log}`);
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

function descendantsOf(root: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces, so split after ")".
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // exited while we looked
    }
  }
  const found: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    for (const [pid, ppid] of parents)
      if (ppid === parent) {
        found.push(pid);
        queue.push(pid);
      }
  }
  return found;
}
