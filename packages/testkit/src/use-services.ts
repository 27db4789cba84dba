import { randomBytes } from "node:crypto";
import type { Redis, RedisOptions } from "ioredis";
import type { Client, Pool, PoolConfig } from "pg";
import { onCleanup } from "./cleanup";
import { processPgClient } from "./process-packages";
import { claimRedisDatabase } from "./redis-databases";
import { sharedServices } from "./shared-services";
import {
  claimSpareDatabase,
  createDatabase,
  dropDatabase,
  RELEASE_TIMEOUT_MS,
  releaseDatabase,
} from "./warm-services/spare-databases";

export interface FileServices {
  /** A Redis URL that selects this file's own logical database. */
  readonly redisUrl: string;
  /** A Postgres URL to this file's own database. */
  readonly databaseUrl: string;
  /** A client on this file's Redis database, made when first used. */
  readonly redis: Redis;
  /** A pool (max 10) on this file's Postgres database, made when first used. */
  readonly pg: Pool;
  /** Another Redis client on the same database, e.g. for a second app instance. */
  newRedis(options?: RedisOptions): Redis;
  /** Another pool on the same database. */
  newPool(config?: PoolConfig): Pool;
}

/**
 * Call at the top of a test file. Before the file's first test it gives the file a Postgres
 * database (a spare the warm services' keeper made, or one created now) and claims a Redis logical
 * database for this file alone; after its last test it closes every client made here and drops
 * both. Two files running in parallel never see each other's data.
 *
 * The clients it hands out come from the file's own ioredis and pg, loaded when a test first asks
 * for one: a file that only hands the URLs to the code under test never evaluates either package
 * (about 0.3 CPU-seconds a file in Jest's registry), and an object a test compares is of the
 * test's own realm (process-packages.ts).
 */
export function useServices(): FileServices {
  let state: { redisUrl: string; databaseUrl: string; redis?: Redis; pg?: Pool } | undefined;
  const ready = () => {
    if (!state)
      throw new Error("useServices() values are ready inside tests and hooks, not at import time");
    return state;
  };
  const newRedis = (options: RedisOptions = {}) => {
    const { Redis } = require("ioredis") as typeof import("ioredis");
    const client = new Redis(ready().redisUrl, options);
    onCleanup(() => client.disconnect());
    return client;
  };
  const newPool = (config: PoolConfig = {}) => {
    const { Pool } = require("pg") as typeof import("pg");
    const pool = new Pool({ connectionString: ready().databaseUrl, max: 10, ...config });
    pool.on("error", () => {}); // a killed backend must not crash the test process
    onCleanup(() => pool.end());
    return pool;
  };

  beforeAll(async () => {
    const shared = sharedServices();
    const [redisUrl, databaseUrl] = await Promise.all([
      claimRedisDatabase(shared.redisUrl).then(({ url, release }) => {
        onCleanup(release);
        return url;
      }),
      fileDatabase(shared.databaseUrl).then(({ url, release }) => {
        onCleanup(release);
        return url;
      }),
    ]);
    state = { redisUrl, databaseUrl };
  }, 60_000);

  return {
    get redisUrl() {
      return ready().redisUrl;
    },
    get databaseUrl() {
      return ready().databaseUrl;
    },
    get redis() {
      return (ready().redis ??= newRedis());
    },
    get pg() {
      return (ready().pg ??= newPool());
    },
    newRedis,
    newPool,
  };
}

/** Per-file databases are named `sandbox_<pid>_<random>`: the pid of the test process that owns one. */
const FILE_DATABASE = /^sandbox_([0-9]+)_[0-9a-f]+$/;

/**
 * The pid of the test process that made a per-file database, or undefined for any other
 * database: the warm services' keeper drops those whose process is gone (a run stopped by Ctrl-C
 * never reaches its cleanup).
 */
export function ownerOfFileDatabase(name: string): number | undefined {
  const pid = FILE_DATABASE.exec(name)?.[1];
  return pid === undefined ? undefined : Number(pid);
}

/**
 * A Postgres database of the file's own, empty, named `sandbox_<pid>_<random>`, and how to drop
 * it. With a keeper's spares (warm services) it is one of them, renamed, and released to the
 * keeper at the end; else it is created now and dropped at the end. Either way the end runs on
 * the connection that made or claimed it, held open for that: each connection costs the server a
 * process of its own (about 26 ms of CPU on a two-core CI machine, docs/performance.md), once per
 * test file. A held connection that was lost is replaced by a new one for the drop. `sharedUrl`
 * is the shared Postgres' URL; `url` is the new database's.
 */
export async function fileDatabase(
  sharedUrl: string,
): Promise<{ name: string; url: string; release: () => Promise<void> }> {
  const name = `sandbox_${process.pid}_${randomBytes(4).toString("hex")}`;
  const url = new URL(sharedUrl);
  url.pathname = `/${name}`;
  const admin = await connectAdmin(sharedUrl);
  let claimed: boolean;
  try {
    claimed = await claimSpareDatabase(admin, name);
    if (!claimed) await createDatabase(admin, name);
  } catch (error) {
    await admin.end().catch(() => {});
    throw error;
  }
  const dropOnNewConnection = () =>
    withAdmin(sharedUrl, (fresh) => dropDatabase(fresh, name, RELEASE_TIMEOUT_MS));
  const release = () =>
    (claimed ? releaseDatabase(admin, name) : dropDatabase(admin, name, RELEASE_TIMEOUT_MS))
      .catch(dropOnNewConnection)
      .finally(() => admin.end().catch(() => {}));
  return { name, url: url.toString(), release };
}

/** A connection of the testkit's own, from the process's pg (process-packages.ts). */
async function connectAdmin(url: string): Promise<Client> {
  const admin = processPgClient({
    connectionString: url,
    connectionTimeoutMillis: 10_000,
  });
  admin.on("error", () => {}); // a lost connection shows as a failed query, handled there
  await admin.connect();
  return admin;
}

async function withAdmin<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const admin = await connectAdmin(url);
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}
