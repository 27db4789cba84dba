import type { ChildProcess } from "node:child_process";
import { renameSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { closeForwarder, forwardTcpPort, forwardUnixSocket } from "./bridge";
import { Channel, ChannelClosedError, type Message } from "./channel";
import { decode, encode, isData, methodNames, type Encoded } from "./codec";
import { learnerRun, type LearnerRun } from "./learner-run";
import { CLOCK, type ClockBrand } from "./clock-brand";
import { SANDBOX_CLOCKS_MOUNT } from "./sandbox";
import { makeTransformsAhead } from "./make-transforms-ahead";
import { recordsMutantCoverage, spawnHost, type HostDirs } from "./spawn-host";
import { STAND_IN, type StandIn } from "./stand-ins";
import { noteNotImplementedError } from "../not-implemented";

/** A function of the learner's code as the test process calls it: same arguments, always a Promise. */
export type RemoteFunction<F> = F extends (...args: infer A) => infer R
  ? (...args: { [K in keyof A]: unknown }) => Promise<Remote<Awaited<R>>>
  : never;
/** A module, object or value of the learner's process as the test process sees it. */
export type Remote<T> = T extends (...args: never[]) => unknown
  ? RemoteFunction<T> & { [K in keyof T]: Remote<T[K]> }
  : T extends object
    ? { [K in keyof T]: T[K] extends (...args: never[]) => unknown ? RemoteFunction<T[K]> : T[K] }
    : T;

/**
 * A module's exports as async functions, each a `call(exportName, args)`; `then` is left out so
 * that awaiting the module itself does not try to call an export named "then".
 */
export function remoteModule<T>(
  call: (exportName: string, args: unknown[]) => Promise<unknown>,
): Remote<T> {
  return new Proxy(
    {},
    {
      get: (_target, exportName) =>
        typeof exportName === "string" && exportName !== "then"
          ? (...args: unknown[]) => call(exportName, args)
          : undefined,
    },
  ) as unknown as Remote<T>;
}

/** What the test process holds for an object made in the learner's process. */
const REF = Symbol("learner-ref");
interface RefBrand {
  [REF]: { owner: LearnerProcess; ref: number };
}

/** How much of the learner's stdout and stderr is kept and echoed, per process (bytes). */
const OUTPUT_CAP = 64 * 1024;
const LOOPBACK_PORT = /(?:\/\/|@)(?:127\.0\.0\.1|localhost):(\d{2,5})\b/g;

/**
 * The learner's code, running in a process of its own (../shared/DESIGN.md, "Testkit contract").
 * Tests reach it through `module(name)` (library-style calls: each a request over a JSON pipe),
 * `serve(app)` (HTTP on loopback), and the services. Arguments cross as data: plain values,
 * connection settings (`redisClient`, `pgPool`), manual clocks (read from a file the test
 * process writes), and functions (called back, asynchronously). When the run is sealed the process
 * runs in a bubblewrap sandbox under a user of its own, with a network namespace whose loopback
 * reaches only the ports the tests hand it.
 */
export class LearnerProcess {
  private readonly callbacks = new Map<number, (...args: unknown[]) => unknown>();
  private readonly clockFiles = new Map<ClockBrand, string>();
  private readonly reached = new Map<number, Promise<void>>();
  private readonly servers: net.Server[] = [];
  private nextCallback = 1;
  private outputBytes = 0;
  private ended: Promise<void>;
  /** stdout and stderr of the learner's code, interleaved as they came, up to 64 KiB. */
  output = "";
  /** Its stdout alone, and its stderr alone (`console.log` / `console.error`), up to 64 KiB each. */
  readonly streams = { stdout: "", stderr: "" };

  private constructor(
    private readonly child: ChildProcess,
    private readonly channel: Channel,
    private readonly run: LearnerRun,
    private readonly dirs: HostDirs,
  ) {
    this.ended = new Promise((resolve) => child.once("exit", () => resolve()));
  }

  /** Starts a learner's process for the current test run's source folder (sealed if the run is). */
  static async start(run: LearnerRun = learnerRun()): Promise<LearnerProcess> {
    const { child, dirs } = spawnHost(run, await makeTransformsAhead(run.sourceDir));
    const answer = { to: undefined as LearnerProcess | undefined };
    const channel = new Channel(
      child.stdio[3] as net.Socket,
      (request) => answer.to!.answer(request),
      (error) => encode(error, () => undefined),
      // The exit says more than a broken pipe: wait for it (briefly) to report status and output.
      () => setTimeout(() => channel.close("the code under test closed its channel"), 1000).unref(),
    );
    const learner = new LearnerProcess(child, channel, run, dirs);
    answer.to = learner;
    child.stdout!.on("data", (chunk: Buffer) => learner.record(chunk, "stdout"));
    child.stderr!.on("data", (chunk: Buffer) => learner.record(chunk, "stderr"));
    child.once("exit", (code, signal) =>
      channel.close(
        `the code under test exited (${signal ?? `exit code ${code}`})` +
          (learner.output ? `; its last output:\n${learner.output.slice(-2000)}` : ""),
      ),
    );
    child.once("error", (error) =>
      channel.close(`the code under test could not start: ${error.message}`),
    );
    return learner;
  }

  /**
   * The exports of `src/<name>.ts` as async functions: `await learner.module<typeof
   * import("#src/app")>("app").createApp(options)`. What a call returns crosses as data; functions
   * and class instances stay in the learner's process and come back as remote objects whose
   * methods are async too.
   */
  module<T>(name: string): Remote<T> {
    return remoteModule<T>((exportName, args) =>
      this.request("call", { module: name, export: exportName }, args),
    );
  }

  /**
   * Reads a data field of a remote object (`pool.totalCount`, `result.rows`): remote objects carry
   * only their methods, as calls; their fields are read one at a time, when a test asks.
   */
  async field<T>(remote: unknown, name: string): Promise<T> {
    return this.decode(await this.channel.request("field", { ref: this.refOf(remote), name })) as T;
  }

  /**
   * Counts calls of a Node built-in's function in the learner's process from now on (e.g.
   * `watch("node:crypto", "timingSafeEqual")`): `calls()` is the count so far. Call it before the
   * code runs what the test is about. The count is reported by the process under test.
   */
  async watch(module: string, exportName: string): Promise<{ calls(): Promise<number> }> {
    await this.channel.request("watch", { module, export: exportName });
    return {
      calls: async () =>
        ((await this.channel.request("watch", { module, export: exportName })) as { calls: number })
          .calls,
    };
  }

  /**
   * The client a stand-in (`pgPool(config)`, `redisClient(url)`) stands for, built in the learner's
   * process (once per stand-in, as whenever it crosses) and held here as a remote object: the test
   * calls its methods (`await pool.query(...)`) and reads its fields (`field`), and passing it to
   * the code under test passes that same client, as one app instance would hold it.
   */
  async client<T>(standIn: StandIn): Promise<Remote<T>> {
    return (await this.request("client", {}, [standIn])) as Remote<T>;
  }

  /** Reads a non-function export, e.g. a constant the module defines. */
  async value<T>(module: string, exportName: string): Promise<T> {
    return this.decode(await this.channel.request("value", { module, export: exportName })) as T;
  }

  /**
   * Serves an app made in the learner's process (an Express app, any request listener, or an
   * http.Server) on a loopback port, and returns the URL the test process reaches it at.
   */
  async serve(app: unknown): Promise<{ url: string; port: number; close(): Promise<void> }> {
    const ref = this.refOf(app);
    const served = (await this.channel.request("serve", { ref })) as {
      port: number;
      socket?: string;
    };
    let port = served.port;
    let forwarder: net.Server | undefined;
    if (served.socket) {
      forwarder = await forwardTcpPort(
        0,
        path.join(this.dirs.bridge, path.basename(served.socket)),
      );
      this.servers.push(forwarder);
      port = (forwarder.address() as net.AddressInfo).port;
    }
    /** Closes the server in the learner's process (its connections too); the process goes on. */
    const close = async () => {
      if (forwarder) closeForwarder(forwarder);
      if (!this.channel.closed) await this.channel.request("unserve", { port: served.port });
    };
    return { url: `http://127.0.0.1:${port}`, port, close };
  }

  /** Lets the learner's process reach 127.0.0.1:`port` of the test process (a no-op unless sealed). */
  async reach(port: number): Promise<void> {
    if (!this.run.sealed) return;
    let done = this.reached.get(port);
    if (!done) {
      done = (async () => {
        const server = await forwardUnixSocket(
          path.join(this.dirs.bridge, `out-${port}.sock`),
          () => net.connect({ port, host: "127.0.0.1", allowHalfOpen: true }),
        );
        this.servers.push(server);
        await this.channel.request("reach", { port });
      })();
      this.reached.set(port, done);
    }
    return done;
  }

  /** Ends the process and everything it started (a sealed process's PID namespace goes with it). */
  async stop(): Promise<void> {
    // A mutation run's dry run: what the process reached until now, before it is killed.
    if (recordsMutantCoverage(this.run) && !this.channel.closed)
      await Promise.race([
        this.channel.request("flushMutantCoverage", {}).catch(() => {}),
        delay(1000, undefined, { ref: false }),
      ]);
    this.channel.close("the test stopped the code under test");
    if (this.child.exitCode === null && this.child.signalCode === null) {
      try {
        if (this.run.sealed) this.child.kill("SIGKILL");
        else process.kill(-this.child.pid!, "SIGKILL");
      } catch {
        // already gone
      }
      await this.ended;
    }
    for (const server of this.servers.splice(0)) closeForwarder(server);
    rmSync(this.dirs.root, { recursive: true, force: true });
  }

  /**
   * Sends `name` (e.g. "SIGTERM") to the learner's process, as a supervisor would: the process
   * signals itself on request, so a sealed one (inside bubblewrap, which forwards no signals)
   * gets it the same way. Resolves once it is sent; `exited()` says when and how the process ended.
   */
  async signal(name: NodeJS.Signals): Promise<void> {
    await this.channel.request("signal", { signal: name });
  }

  /** Resolves when the process has ended, with its exit code or the signal that ended it. */
  async exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    await this.ended;
    return { code: this.child.exitCode, signal: this.child.signalCode };
  }

  /** Whether the process is still running. */
  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  private record(chunk: Buffer, stream: "stdout" | "stderr"): void {
    const kept = this.streams[stream].length;
    if (kept < OUTPUT_CAP)
      this.streams[stream] += chunk.subarray(0, OUTPUT_CAP - kept).toString("utf8");
    if (this.outputBytes >= OUTPUT_CAP) return;
    const text = chunk.subarray(0, OUTPUT_CAP - this.outputBytes).toString("utf8");
    this.outputBytes += chunk.length;
    this.output += text;
    if (this.run.echoOutput) process.stderr.write(text);
  }

  private async request(op: string, params: Message, args: unknown[]): Promise<unknown> {
    const encoded = encode(args, (value) => this.replace(value));
    const ports = [...JSON.stringify(encoded).matchAll(LOOPBACK_PORT)].map((m) => Number(m[1]));
    await Promise.all(ports.map((port) => this.reach(port)));
    try {
      return this.decode(await this.channel.request(op, { ...params, args: encoded }));
    } catch (error) {
      if (error instanceof ChannelClosedError) throw error;
      const thrown = this.decode(error as Encoded);
      noteNotImplementedError(thrown);
      throw thrown;
    }
  }

  private async answer(request: Message): Promise<unknown> {
    if (request.op !== "callback") throw new Error(`unknown request ${String(request.op)}`);
    const callback = this.callbacks.get(Number(request.callback));
    if (!callback) throw new Error(`no callback ${String(request.callback)}`);
    const args = this.decode(request.args) as unknown[];
    return encode(await callback(...args), (value) => this.replace(value));
  }

  private decode(value: Encoded): unknown {
    return decode(value, (tagged) => {
      if (tagged.$ !== "ref")
        throw new Error(`unexpected value tag ${String(tagged.$)} from the learner's process`);
      return this.remoteObject(tagged);
    });
  }

  private remoteObject(tagged: Record<string, unknown>): unknown {
    const ref = Number(tagged.ref);
    const invoke =
      (method: string | undefined) =>
      (...args: unknown[]) =>
        this.request("invoke", { ref, method }, args);
    const target: Record<string | symbol, unknown> =
      tagged.kind === "function" ? (invoke(undefined) as unknown as Record<string, unknown>) : {};
    for (const method of (tagged.methods as string[]) ?? []) target[method] = invoke(method);
    Object.defineProperty(target, REF, { value: { owner: this, ref } });
    return target;
  }

  private refOf(value: unknown): number {
    const brand = (value as Partial<RefBrand> | undefined)?.[REF];
    if (!brand || brand.owner !== this)
      throw new TypeError(
        "serve() and field() take an object made by this learner's process (the result of a call)",
      );
    return brand.ref;
  }

  private replace(value: unknown): Encoded | undefined {
    const brand = (value as Partial<RefBrand>)[REF];
    if (brand) {
      if (brand.owner !== this)
        throw new TypeError("an object of one learner's process cannot go to another");
      return { $: "ref", ref: brand.ref };
    }
    const standIn = (value as { [STAND_IN]?: Record<string, unknown> })[STAND_IN];
    if (standIn) return standIn;
    const clock = (value as { [CLOCK]?: { clock: ClockBrand; as: "ms" | "date" } })[CLOCK];
    if (clock) return { $: "clock", file: this.clockFile(clock.clock), as: clock.as };
    if (typeof value === "function") return this.callback(value as (...args: unknown[]) => unknown);
    if (typeof value === "object" && value !== null && !isData(value)) {
      // A test double made from a class (a repository, a fake provider): its fields as data, its
      // methods as callbacks, so the learner's process gets an object it can call.
      const crossing: Record<string, Encoded> = {};
      for (const [key, item] of Object.entries(value))
        crossing[key] = encode(item, (inner) => this.replace(inner));
      for (const name of methodNames(value))
        crossing[name] = this.callback((...args: unknown[]) =>
          (value as Record<string, (...a: unknown[]) => unknown>)[name]!(...args),
        );
      return crossing;
    }
    return undefined;
  }

  private callback(fn: (...args: unknown[]) => unknown): Encoded {
    const id = this.nextCallback++;
    this.callbacks.set(id, fn);
    return { $: "callback", id };
  }

  /** The file a manual clock's time is written to, for this process to read (ms since the epoch, decimal). */
  private clockFile(clock: ClockBrand): string {
    let name = this.clockFiles.get(clock);
    if (!name) {
      name = `clock-${this.clockFiles.size + 1}`;
      this.clockFiles.set(clock, name);
      const file = path.join(this.dirs.clocks, name);
      // Written aside and renamed over: a reader sees the old time or the new, never an empty file.
      const write = (ms: number) => {
        writeFileSync(`${file}.next`, String(ms));
        renameSync(`${file}.next`, file);
      };
      write(clock.current());
      clock.watch(write);
    }
    return path.join(this.run.sealed ? SANDBOX_CLOCKS_MOUNT : this.dirs.clocks, name);
  }
}
