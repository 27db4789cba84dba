// Packages the testkit keeps to itself, loaded once per process even in Jest.
//
// Jest gives every test file a module registry of its own and evaluates every module again in
// each. For Testcontainers and its dependencies (dockerode, ssh2, protobufjs, archiver: 734
// modules) that took 1.42 of the 8.7 CPU-seconds of caching's stub grading; ioredis and pg, which
// every file's `useServices()` needs for its own database and Redis lease, took 0.23 and
// 0.06 CPU-seconds a file in a grading's profile (docs/performance.md, "Packages once a
// process"). The testkit's test environment, which lives outside the registries, puts
// `loadProcessPackage` on each file's global under PROCESS_PACKAGES; the testkit's own modules
// then get these from Node's own module cache. Outside Jest (the grader, the services' keeper)
// the global is not there and Node's cache does the same.
//
// Only for objects the testkit keeps to itself: the Docker provider's containers, the admin
// connections that claim and drop a file's databases, readiness probes. An object of another
// realm fails `toStrictEqual` and `instanceof` in a test, so every client a test gets
// (`useServices()`'s `redis` and `pg`) comes from the file's own registry, made when first used.
import type * as TestcontainersModule from "testcontainers";
import type * as PostgresqlModule from "@testcontainers/postgresql";
import type * as RedisModule from "@testcontainers/redis";
import type * as IoredisModule from "ioredis";
import type * as PgModule from "pg";
import type * as EsbuildModule from "esbuild";
import type { Client, ClientConfig } from "pg";

export interface ProcessPackages {
  ioredis: typeof IoredisModule;
  pg: typeof PgModule;
  /** One esbuild service a process, for the learner's code compiled ahead (make-transforms-ahead.ts). */
  esbuild: typeof EsbuildModule;
  testcontainers: {
    testcontainers: typeof TestcontainersModule;
    postgresql: typeof PostgresqlModule;
    redis: typeof RedisModule;
  };
  /** The testkit's admin connections held for every file of the process, by URL (use-services.ts). */
  heldAdmins: Map<string, HeldAdmin>;
}

/** A held admin connection: `client` once `connected` has resolved to it. */
export interface HeldAdmin {
  connected: Promise<Client>;
  client?: Client;
}

/** One map a process: it lives in this module's copy outside the files' registries, as the packages do. */
const HELD_ADMINS = new Map<string, HeldAdmin>();

/** The name the testkit asks for: a package, or Testcontainers with its two modules. */
export type ProcessPackageName = keyof ProcessPackages;

/**
 * Where the test environment puts `loadProcessPackage` on a test file's global; `Symbol.for`, so
 * that every realm of the process (one a test file) names the same key.
 */
export const PROCESS_PACKAGES = Symbol.for("backend-sandbox.process-packages");

const LOADERS: { [N in ProcessPackageName]: () => ProcessPackages[N] } = {
  ioredis: () => require("ioredis") as typeof IoredisModule,
  pg: () => require("pg") as typeof PgModule,
  esbuild: () => require("esbuild") as typeof EsbuildModule,
  testcontainers: () => ({
    testcontainers: require("testcontainers") as typeof TestcontainersModule,
    postgresql: require("@testcontainers/postgresql") as typeof PostgresqlModule,
    redis: require("@testcontainers/redis") as typeof RedisModule,
  }),
  heldAdmins: () => HELD_ADMINS,
};

/** `name` from the `require` of this module: Node's own outside Jest (and in the environment). */
export function loadProcessPackage<N extends ProcessPackageName>(name: N): ProcessPackages[N] {
  return LOADERS[name]();
}

/**
 * `name`: the process's copy (through the test environment's loader) when this global has one,
 * else loaded here. Call it where the package is used, not at a module's top, so that a process
 * that never uses it never loads it.
 */
export function processPackage<N extends ProcessPackageName>(name: N): ProcessPackages[N] {
  const shared = (globalThis as { [PROCESS_PACKAGES]?: typeof loadProcessPackage })[
    PROCESS_PACKAGES
  ];
  return shared ? shared(name) : loadProcessPackage(name);
}

/**
 * A pg Client of the testkit's own (admin work, probes), from the process's pg. Not connected;
 * `config` is pg's ClientConfig.
 */
export function processPgClient(config: ClientConfig): Client {
  return new (processPackage("pg").Client)(config);
}
