// Testcontainers and its two modules, loaded once per process even in Jest.
//
// Jest gives every test file a module registry of its own, so a file that starts a service of
// its own (startRedis() for an outage test) evaluated Testcontainers and its dependencies
// (dockerode, ssh2, protobufjs, archiver: 734 modules) again: 1.42 of the 8.7 CPU-seconds of
// caching's stub grading in a profile (docs/performance.md, "Testcontainers once a process").
// The testkit's test environment, which lives outside the registries, puts `loadTestcontainers`
// on each file's global under SHARED_TESTCONTAINERS; every file then gets the same packages from
// Node's own module cache. Outside Jest (the grader, the services' keeper) the global is not
// there and Node's cache does the same.
//
// Only the Docker provider uses them, and it hands tests plain data (a URL) and functions: no
// test sees an object of the other realm but the error a failed start throws, which fails the
// test either way.
import type * as TestcontainersModule from "testcontainers";
import type * as PostgresqlModule from "@testcontainers/postgresql";
import type * as RedisModule from "@testcontainers/redis";

export interface TestcontainersPackages {
  testcontainers: typeof TestcontainersModule;
  postgresql: typeof PostgresqlModule;
  redis: typeof RedisModule;
}

/**
 * Where the test environment puts `loadTestcontainers` on a test file's global; `Symbol.for`, so
 * that every realm of the process (one a test file) names the same key.
 */
export const SHARED_TESTCONTAINERS = Symbol.for("backend-sandbox.testcontainers");

/** The three packages from the `require` of the module that calls it: Node's own outside Jest. */
export function loadTestcontainers(): TestcontainersPackages {
  return {
    testcontainers: require("testcontainers") as typeof TestcontainersModule,
    postgresql: require("@testcontainers/postgresql") as typeof PostgresqlModule,
    redis: require("@testcontainers/redis") as typeof RedisModule,
  };
}

/**
 * The three packages: those of the process (through the test environment's loader) when this
 * global has one, else loaded here.
 */
export function testcontainersPackages(): TestcontainersPackages {
  const shared = (globalThis as { [SHARED_TESTCONTAINERS]?: () => TestcontainersPackages })[
    SHARED_TESTCONTAINERS
  ];
  return shared ? shared() : loadTestcontainers();
}
