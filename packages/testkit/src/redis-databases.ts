// Redis logical databases for test files. A Redis server has a fixed number of them (16 unless
// started with --databases), and many test files share one server: a grading runs several files
// at once, and verify or a class's grading runs several gradings. Each file claims a database for
// itself alone with a lease in database 0, the lock pattern of Redis's SET documentation (a random
// token set with NX and PX, renewed and deleted only by a script that checks the token). Handing
// databases out in turn instead, as the testkit once did, gave a 16th file the first file's
// database while it still ran, and its FLUSHDB emptied the other file's keys mid-test.
import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import { processPackage } from "./process-packages";
import { redact } from "./readiness";

/** The counter in database 0 from which each claim starts looking, so claims spread out. */
const TICKET_KEY = "backend-sandbox:next-database";
/** The lease on database `index`, in database 0: the holder's token, expiring unless renewed. */
const leaseKey = (index: number) => `backend-sandbox:database:${index}:lease`;

/** How many databases a server has when it will not say (CONFIG refused): Redis's default. */
const DEFAULT_DATABASES = 16;

/** PEXPIRE the lease if it is still ours (KEYS[1] the lease, ARGV[1] our token, ARGV[2] ms). */
const RENEW = `if redis.call("GET", KEYS[1]) == ARGV[1] then
  return redis.call("PEXPIRE", KEYS[1], ARGV[2]) end
return 0`;
/** DEL the lease if it is still ours (KEYS[1] the lease, ARGV[1] our token). */
const RELEASE = `if redis.call("GET", KEYS[1]) == ARGV[1] then
  return redis.call("DEL", KEYS[1]) end
return 0`;

export interface RedisDatabaseClaim {
  /** The database's index: 1 to the server's count of databases minus 1 (0 holds the leases). */
  readonly index: number;
  /** The server's URL with the index as its path: `redis://host:port/<index>`. */
  readonly url: string;
  /** Empties the database (FLUSHDB) and ends the lease, so that another file may claim it. */
  release(): Promise<void>;
}

export interface ClaimOptions {
  /** How long the lease lasts unless renewed, in ms (default 60 s); renewed every third of it. */
  leaseMs?: number;
  /** How long to wait when every database is claimed, in ms (default 50 s). */
  timeoutMs?: number;
  /** How often to look again when every database is claimed, in ms (default 100). */
  retryMs?: number;
}

/**
 * Claims a logical database of the Redis server at `sharedUrl` that no other holder has, empties
 * it (a holder that crashed leaves its keys), and keeps the lease while the caller runs: a
 * holder that dies stops renewing it, and its database is free again `leaseMs` later. Waits while
 * every database is claimed; rejects with an Error naming the count after `timeoutMs`, or with
 * ioredis's error when the server does not answer.
 */
export async function claimRedisDatabase(
  sharedUrl: string,
  { leaseMs = 60_000, timeoutMs = 50_000, retryMs = 100 }: ClaimOptions = {},
): Promise<RedisDatabaseClaim> {
  // Kept open for the renewals. Each command fails after 5 s rather than waiting on a server
  // that stopped answering: the file's cleanup must end.
  const admin = new (processPackage("ioredis").Redis)(sharedUrl, {
    lazyConnect: true,
    maxRetriesPerRequest: 3,
    commandTimeout: 5000,
    db: 0,
  });
  /** FLUSHDB in database `index`, in one MULTI so that no renewal runs while another is selected. */
  const flush = (index: number) => admin.multi().select(index).flushdb().select(0).exec();
  try {
    const token = randomBytes(12).toString("hex");
    const index = await claimIndex(admin, redact(sharedUrl), token, {
      leaseMs,
      timeoutMs,
      retryMs,
    });
    await flush(index); // a holder that crashed left its keys
    const renewal = setInterval(() => {
      admin.eval(RENEW, 1, leaseKey(index), token, leaseMs).catch(() => {}); // the next may pass
    }, leaseMs / 3);
    renewal.unref();
    const url = new URL(sharedUrl);
    url.pathname = `/${index}`;
    let released: Promise<void> | undefined;
    return {
      index,
      url: url.toString(),
      release: () =>
        (released ??= (async () => {
          clearInterval(renewal);
          try {
            await flush(index);
            await admin.eval(RELEASE, 1, leaseKey(index), token);
          } finally {
            admin.disconnect();
          }
        })()),
    };
  } catch (error) {
    admin.disconnect();
    throw error;
  }
}

/** The index of a database whose lease `token` took, looking again every `retryMs`. */
async function claimIndex(
  admin: Redis,
  where: string,
  token: string,
  { leaseMs, timeoutMs, retryMs }: Required<ClaimOptions>,
): Promise<number> {
  const databases = await databaseCount(admin);
  if (databases < 2)
    throw new Error(
      `Redis at ${where} has one database; test files need at least 2 (redis-server --databases)`,
    );
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const first = await admin.incr(TICKET_KEY);
    for (let step = 0; step < databases - 1; step++) {
      const index = 1 + ((first - 1 + step) % (databases - 1));
      if (await admin.set(leaseKey(index), token, "PX", leaseMs, "NX")) return index;
    }
    if (performance.now() >= deadline)
      throw new Error(
        `every one of the ${databases - 1} databases for test files of Redis at ${where} is claimed by another file, still after ${timeoutMs} ms: run fewer test files at once, or start Redis with more (redis-server --databases)`,
      );
    await new Promise((resolve) => setTimeout(resolve, retryMs));
  }
}

/** The server's count of logical databases (CONFIG GET databases), or Redis's default. */
async function databaseCount(admin: Redis): Promise<number> {
  try {
    const [, count] = (await admin.config("GET", "databases")) as string[];
    return Number(count) || DEFAULT_DATABASES;
  } catch {
    return DEFAULT_DATABASES; // CONFIG renamed or refused, as hosted Redis often does
  }
}
