import { randomBytes } from "node:crypto";
import type { Socket } from "node:net";
import type { Redis, RedisOptions } from "ioredis";
import type { Client, Pool, PoolConfig } from "pg";
import { onCleanup } from "./cleanup";
import { type HeldAdmin, processPackage, processPgClient } from "./process-packages";
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
 * keeper at the end; else it is created now and dropped at the end. Both run on the process's held
 * admin connection (heldAdmin): each connection costs the server a process of its own, about
 * 21 ms of CPU on a two-core CI machine (docs/performance.md), which a connection per test file
 * paid every time. A held connection found lost is replaced once; a release that fails on it drops
 * the database on a new connection. `sharedUrl` is the shared Postgres' URL; `url` is the new
 * database's.
 */
export async function fileDatabase(
  sharedUrl: string,
): Promise<{ name: string; url: string; release: () => Promise<void> }> {
  const name = `sandbox_${process.pid}_${randomBytes(4).toString("hex")}`;
  const url = new URL(sharedUrl);
  url.pathname = `/${name}`;
  const claimOrCreate = async (admin: Client) => {
    const claimed = await claimSpareDatabase(admin, name);
    if (!claimed) await createDatabase(admin, name);
    return { admin, claimed };
  };
  const heldBefore = processPackage("heldAdmins").has(sharedUrl);
  let made: { admin: Client; claimed: boolean };
  try {
    made = await claimOrCreate(await heldAdmin(sharedUrl));
  } catch (error) {
    // Held since an earlier file, the connection may have died quietly (a server restarted, an
    // idle session ended): once more on a new one, whose error is the file's. A connection made
    // just now failed for a reason a second one would meet too.
    if (!heldBefore) throw error;
    forgetHeldAdmin(sharedUrl);
    made = await claimOrCreate(await heldAdmin(sharedUrl));
  }
  const { admin, claimed } = made;
  const dropOnNewConnection = () =>
    withAdmin(sharedUrl, (fresh) => dropDatabase(fresh, name, RELEASE_TIMEOUT_MS));
  const release = () =>
    (claimed ? releaseDatabase(admin, name) : dropDatabase(admin, name, RELEASE_TIMEOUT_MS)).catch(
      () => {
        forgetHeldAdmin(sharedUrl, admin);
        return dropOnNewConnection();
      },
    );
  return { name, url: url.toString(), release };
}

/**
 * The process's admin connection to the Postgres at `url`: connected on first use, then held for
 * every later test file of the process (Jest runs a worker's files one after another; a pg Client
 * queues what two would send at once). Its socket is unref'd, so it never keeps a process alive,
 * and a connection that errs or ends is forgotten: the next caller connects again.
 */
async function heldAdmin(url: string): Promise<Client> {
  const held = processPackage("heldAdmins");
  let admin = held.get(url);
  if (!admin) {
    const entry: HeldAdmin = {
      connected: connectAdmin(url).then((client) => {
        entry.client = client;
        const forget = () => forgetHeldAdmin(url, client);
        client.on("error", forget);
        client.on("end", forget);
        (client as unknown as { connection: { stream: Socket } }).connection.stream.unref();
        return client;
      }),
    };
    entry.connected.catch(() => {
      if (held.get(url) === entry) held.delete(url);
    });
    held.set(url, (admin = entry));
  }
  return admin.connected;
}

/**
 * Forgets the held connection to `url`, at once, and ends it; given `client`, only if that is
 * still the one held (a connection's late error must not forget its successor).
 */
function forgetHeldAdmin(url: string, client?: Client): void {
  const held = processPackage("heldAdmins");
  const admin = held.get(url);
  if (!admin || (client && admin.client !== client)) return;
  held.delete(url);
  void admin.connected.then((current) => current.end()).catch(() => {});
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
