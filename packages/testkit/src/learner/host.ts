/**
 * The learner's process: loads the learner's modules and serves the test process's requests over
 * the channel on fd 3 (channel.ts). It holds what the learner's code made (apps, objects) as refs,
 * builds its own Redis and Postgres clients from connection settings, reads manual clocks from
 * files the test process writes, and calls the test process back for callbacks. Nothing here
 * decides a test: the assertions run in the test process, and a sealed run puts this process in a
 * sandbox (sandbox.ts).
 *
 * Environment: SANDBOX_LEARNER_SOURCE (the source folder), SANDBOX_LEARNER_DEPENDENCIES (JSON: the
 * exercise's declared dependencies), SANDBOX_LEARNER_BRIDGE (set when this process has a network
 * namespace of its own: the folder of the Unix sockets that carry TCP across).
 */
import { readFileSync } from "node:fs";
import http from "node:http";
import { builtinModules } from "node:module";
import net from "node:net";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { forwardTcpPort, forwardUnixSocket, stopWritingTo } from "./bridge";
import { Channel, type Message } from "./channel";
import { decode, encode, isData, methodNames, type Encoded } from "./codec";
import { confineImports } from "./confine-imports";
import { flushMutantCoverage, recordMutantCoverage } from "./mutant-coverage";

const sourceDir = process.env.SANDBOX_LEARNER_SOURCE!;
const bridgeDir = process.env.SANDBOX_LEARNER_BRIDGE;
const dependencies: string[] = JSON.parse(process.env.SANDBOX_LEARNER_DEPENDENCIES ?? "[]");
confineImports(sourceDir, dependencies);
recordMutantCoverage();

const refs = new Map<number, unknown>();
let nextRef = 1;
/** Reaches of the test process's ports: calls wait for every reach sent before them. */
let reachesDone: Promise<unknown> = Promise.resolve();
const reached = new Set<number>();

const channel = new Channel(
  new net.Socket({ fd: 3, readable: true, writable: true }),
  handle,
  (error) => encode(error, replace),
  // The test process is gone (it ended, or was killed): nothing is left to serve.
  () => process.exit(0),
);
process.on("unhandledRejection", (reason) => {
  console.error("Unhandled promise rejection in the code under test:", reason);
});

/** A function or class instance made here stays here; the test process gets a ref to it. */
function replace(value: unknown): Encoded | undefined {
  if (typeof value !== "function" && (typeof value !== "object" || value === null))
    return undefined;
  if (typeof value === "object" && isData(value)) return undefined;
  const ref = nextRef++;
  refs.set(ref, value);
  return { $: "ref", ref, kind: typeof value, methods: methodNames(value as object) };
}

function revive(tagged: Record<string, unknown>): unknown {
  switch (tagged.$) {
    case "ref":
      if (!refs.has(Number(tagged.ref)))
        throw new Error(`no object ${String(tagged.ref)} in the learner's process`);
      return refs.get(Number(tagged.ref));
    case "callback":
      return (...args: unknown[]) =>
        channel.request("callback", { callback: tagged.id, args: encode(args, replace) }).then(
          (ok) => decode(ok, revive),
          (error) => Promise.reject(decode(error, revive)),
        );
    case "clock": {
      const file = String(tagged.file);
      const now = () => Number(readFileSync(file, "utf8"));
      return tagged.as === "date" ? () => new Date(now()) : now;
    }
    case "redis":
      return builtOnce(tagged, newRedis);
    case "pgPool":
      return builtOnce(tagged, newPgPool);
    default:
      throw new Error(`unknown value tag ${String(tagged.$)}`);
  }
}

/** Clients built from stand-ins, by the stand-in's id: one per stand-in, however often it crosses. */
const standIns = new Map<number, unknown>();

function builtOnce(
  tagged: Record<string, unknown>,
  build: (t: Record<string, unknown>) => unknown,
) {
  const id = Number(tagged.id);
  if (!standIns.has(id)) standIns.set(id, build(tagged));
  return standIns.get(id);
}

function dependency<T>(name: string): T {
  return require(require.resolve(name, { paths: [path.join(sourceDir, "..")] })) as T;
}

function newRedis(tagged: Record<string, unknown>): unknown {
  const { Redis } = dependency<typeof import("ioredis")>("ioredis");
  const client = new Redis(String(tagged.url), (tagged.options as object) ?? {});
  client.on("error", () => {}); // a stopped server is what outage tests are about
  return client;
}

function newPgPool(tagged: Record<string, unknown>): unknown {
  const { Pool } = dependency<typeof import("pg")>("pg");
  const pool = new Pool(tagged.config as object);
  pool.on("error", () => {}); // a killed backend must not end the process
  return pool;
}

async function handle(request: Message): Promise<unknown> {
  switch (request.op) {
    case "reach":
      return (reachesDone = reachesDone.then(() => reach(Number(request.port))));
    case "call": {
      await reachesDone;
      const module = loadModule(String(request.module));
      const target = module[String(request.export)];
      if (typeof target !== "function")
        throw new TypeError(
          `${String(request.module)}.ts exports no function ${String(request.export)}`,
        );
      return settle(() => (target as (...a: unknown[]) => unknown)(...args(request)));
    }
    case "invoke": {
      await reachesDone;
      const target = refs.get(Number(request.ref)) as Record<string, unknown> &
        ((...a: unknown[]) => unknown);
      if (request.method === undefined) return settle(() => target(...args(request)));
      const method = target[String(request.method)] as (...a: unknown[]) => unknown;
      return settle(() => method.apply(target, args(request)));
    }
    case "client":
      // The stand-in revives as its client (built once); settle() sends it back as a remote object.
      return settle(() => args(request)[0]);
    case "watch":
      return watch(String(request.module), String(request.export));
    case "field": {
      const target = refs.get(Number(request.ref)) as Record<string, unknown> | undefined;
      if (target === undefined)
        throw new Error(`no object ${String(request.ref)} in the learner's process`);
      return encode(target[String(request.name)], replace);
    }
    case "value": {
      const module = loadModule(String(request.module));
      return encode(module[String(request.export)], replace);
    }
    case "serve":
      return serve(refs.get(Number(request.ref)));
    case "unserve":
      await unserve(Number(request.port));
      return null;
    case "signal":
      // Sent once the answer is on its way: the process may end on it.
      setImmediate(() => process.kill(process.pid, String(request.signal)));
      return null;
    case "release":
      refs.delete(Number(request.ref));
      return null;
    case "flushMutantCoverage":
      flushMutantCoverage();
      return null;
    default:
      throw new Error(`unknown request ${String(request.op)}`);
  }
}

function args(request: Message): unknown[] {
  return decode(request.args ?? [], revive) as unknown[];
}

async function settle(call: () => unknown): Promise<Encoded> {
  return encode(await call(), replace);
}

function loadModule(name: string): Record<string, unknown> {
  if (!/^[\w.-]+(\/[\w.-]+)*$/.test(name) || name.split("/").includes(".."))
    throw new Error(`bad module name ${name}`);
  return require(path.join(sourceDir, name)) as Record<string, unknown>;
}

/** Serves an app (a request listener, or an http.Server) on loopback; `port` here, and the socket that reaches it when bridged. */
async function serve(app: unknown): Promise<{ port: number; socket?: string }> {
  const server = app instanceof http.Server ? app : http.createServer(app as http.RequestListener);
  if (!server.listening) await listen(server);
  const { port } = server.address() as AddressInfo;
  served.set(port, server);
  if (!bridgeDir) return { port };
  const socket = path.join(bridgeDir, `in-${port}.sock`);
  const bridged = new Map<number, net.Socket>();
  await forwardUnixSocket(socket, () => {
    const toApp = net.connect({ port, host: "127.0.0.1", allowHalfOpen: true });
    toApp.once("connect", () => bridged.set(toApp.localPort!, toApp));
    toApp.once("close", () => bridged.delete(toApp.localPort!));
    return toApp;
  });
  // The app's side of a bridged connection has written its last byte and closes: stop writing to
  // it before a write meets the closed socket (bridge.ts, stopWritingTo). Seen here, in the same
  // process, this comes before any later write; seen on the wire, it may come too late.
  server.on("connection", (fromBridge: net.Socket) =>
    fromBridge.once("finish", () => {
      const toApp = bridged.get(fromBridge.remotePort!);
      if (toApp) stopWritingTo(toApp);
    }),
  );
  return { port, socket };
}

/** Calls counted by `watch`, by `module#export`. */
const watched = new Map<string, { calls: number }>();

/**
 * Counts the calls of a built-in module's function from now on (say `node:crypto`'s
 * `timingSafeEqual`), for tests that must know the code used it. Code compiled from `import`
 * reads the export at each call, so the count holds for modules loaded before or after. The count
 * comes from this process, so it is as trustworthy as the code under test: the test process's own
 * observations (HTTP, the services, the fault proxy) are what a grade rests on.
 */
function watch(module: string, name: string): { calls: number } {
  const bare = module.replace(/^node:/, "");
  if (!builtinModules.includes(bare))
    throw new Error(`watch() takes a Node built-in module, not ${module}`);
  const key = `${bare}#${name}`;
  let count = watched.get(key);
  if (!count) {
    const exports = require(module) as Record<string, unknown>;
    const original = exports[name];
    if (typeof original !== "function") throw new Error(`${module} exports no function ${name}`);
    const counter = { calls: 0 };
    exports[name] = function (this: unknown, ...args: unknown[]) {
      counter.calls += 1;
      return (original as (...a: unknown[]) => unknown).apply(this, args);
    };
    watched.set(key, counter);
    count = counter;
  }
  return { calls: count.calls };
}

const served = new Map<number, http.Server>();

/**
 * Listens on loopback. Bridged (sealed), the port comes from 10000–19999: the ports this process
 * must reach (`reach`) are the test process's, from the ephemeral range (32768 and up) or the
 * tests' own picks (20000–32767), and one of them taken here would make the reach fail.
 */
async function listen(server: http.Server): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const port = bridgeDir ? 10_000 + Math.floor(Math.random() * 10_000) : 0;
    try {
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, "127.0.0.1", () => {
          server.off("error", reject);
          resolve();
        });
      });
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE" || attempt >= 20) throw error;
    }
  }
}

/** Closes a server `serve` started, and every connection it has open. */
async function unserve(port: number): Promise<void> {
  const server = served.get(port);
  served.delete(port);
  if (!server) return;
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** Makes 127.0.0.1:`port` here lead to the test process's 127.0.0.1:`port`. */
async function reach(port: number): Promise<null> {
  if (!bridgeDir || reached.has(port)) return null;
  reached.add(port);
  await forwardTcpPort(port, path.join(bridgeDir, `out-${port}.sock`));
  return null;
}
