import { randomBytes } from "node:crypto";
import { Redis, type RedisOptions } from "ioredis";
import { Client, Pool, type PoolConfig } from "pg";
import { onCleanup } from "./cleanup";
import { sharedServices } from "./shared-services";

/** Redis logical databases 1..15 are handed out to test files; 0 holds the counter. */
const REDIS_DATABASES = 15;

export interface FileServices {
  /** A Redis URL that selects this file's own logical database. */
  readonly redisUrl: string;
  /** A Postgres URL to this file's own database. */
  readonly databaseUrl: string;
  /** A client on this file's Redis database. */
  readonly redis: Redis;
  /** A pool (max 10) on this file's Postgres database. */
  readonly pg: Pool;
  /** Another Redis client on the same database, e.g. for a second app instance. */
  newRedis(options?: RedisOptions): Redis;
  /** Another pool on the same database. */
  newPool(config?: PoolConfig): Pool;
}

/**
 * Call at the top of a test file. Before the file's first test it creates a Postgres database
 * and claims a Redis logical database for this file alone; after its last test it closes every
 * client made here and drops both. Two files running in parallel never see each other's data.
 */
export function useServices(): FileServices {
  let state: { redisUrl: string; databaseUrl: string; redis: Redis; pg: Pool } | undefined;
  const ready = () => {
    if (!state)
      throw new Error("useServices() values are ready inside tests and hooks, not at import time");
    return state;
  };
  const newRedis = (options: RedisOptions = {}) => {
    const client = new Redis(ready().redisUrl, options);
    onCleanup(() => client.disconnect());
    return client;
  };
  const newPool = (config: PoolConfig = {}) => {
    const pool = new Pool({ connectionString: ready().databaseUrl, max: 10, ...config });
    pool.on("error", () => {}); // a killed backend must not crash the test process
    onCleanup(() => pool.end());
    return pool;
  };

  beforeAll(async () => {
    const shared = sharedServices();
    const [redisUrl, databaseUrl] = await Promise.all([
      claimRedisDatabase(shared.redisUrl),
      createDatabase(shared.databaseUrl),
    ]);
    state = { redisUrl, databaseUrl, redis: undefined!, pg: undefined! };
    state.redis = newRedis();
    state.pg = newPool();
  }, 60_000);

  return {
    get redisUrl() {
      return ready().redisUrl;
    },
    get databaseUrl() {
      return ready().databaseUrl;
    },
    get redis() {
      return ready().redis;
    },
    get pg() {
      return ready().pg;
    },
    newRedis,
    newPool,
  };
}

async function claimRedisDatabase(sharedUrl: string): Promise<string> {
  const admin = new Redis(sharedUrl, { lazyConnect: true, maxRetriesPerRequest: 3 });
  try {
    const ticket = await admin.incr("backend-sandbox:next-database");
    const index = 1 + ((ticket - 1) % REDIS_DATABASES);
    const url = new URL(sharedUrl);
    url.pathname = `/${index}`;
    await admin.select(index);
    await admin.flushdb();
    onCleanup(() => flushRedisDatabase(url.toString()));
    return url.toString();
  } finally {
    admin.disconnect();
  }
}

async function flushRedisDatabase(url: string): Promise<void> {
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
  });
  try {
    await client.flushdb();
  } finally {
    client.disconnect();
  }
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

async function createDatabase(sharedUrl: string): Promise<string> {
  const name = `sandbox_${process.pid}_${randomBytes(4).toString("hex")}`;
  await withAdmin(sharedUrl, (admin) => admin.query(`CREATE DATABASE ${name}`));
  onCleanup(() =>
    withAdmin(sharedUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)),
  );
  const url = new URL(sharedUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function withAdmin<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const admin = new Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  admin.on("error", () => {});
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}
