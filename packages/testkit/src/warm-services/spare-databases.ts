// Spare databases: in the learner's loop the warm services' keeper keeps a few empty databases
// made ahead of time. A test file claims one by renaming it to its own name (ALTER DATABASE ...
// RENAME TO, about a millisecond, where CREATE DATABASE takes 10-16 ms on a quiet two-core
// machine and 25-50 ms on a loaded one) and at its end releases it by renaming it again, for the
// keeper to drop, instead of waiting on DROP DATABASE. Names carry the whole state (spare, being
// made, released), so nothing is lost when the keeper misses a NOTIFY: it tidies on every
// notification and on every tick. Without a keeper (CI, verify, grading a submission: services
// per run) there are no spares, and a file creates and drops its own database as before
// (use-services.ts).
import { randomBytes } from "node:crypto";
import type { Client, QueryConfig } from "pg";
import { processPgClient } from "../process-packages";

/** How many spares the keeper keeps: two Jest workers' next files, and room while it makes more. */
export const SPARE_DATABASES = 4;

/** Spares are `sandbox_spare_<hex>`; no per-file database name (`sandbox_<pid>_<hex>`) looks so. */
const SPARE_PREFIX = "sandbox_spare_";
/** A spare being made: only the keeper connects to it, and no file claims it. */
const MAKING_PREFIX = "sandbox_making_";
/** A file's database it is done with, for the keeper to drop. */
const RELEASED_PREFIX = "sandbox_released_";

/** The channel the keeper LISTENs on: a spare was taken or a database released, so tidy now. */
export const KEEPER_CHANNEL = "backend_sandbox_keeper";

/** Postgres' SQLSTATE invalid_catalog_name: the spare is gone, another file renamed it first. */
const INVALID_CATALOG_NAME = "3D000";

/**
 * Renames a spare database to `name` (a per-file database name) and nudges the keeper (NOTIFY)
 * to make another. Resolves to false when there is no spare left (a run of many files, or no
 * keeper): the caller creates its own. Two files claiming at once try the spares in random order
 * and skip one the other renamed first. `admin` is connected to the shared URL's database.
 */
export async function claimSpareDatabase(admin: Client, name: string): Promise<boolean> {
  for (const spare of await databasesNamed(admin, SPARE_PREFIX, "random()")) {
    try {
      await admin.query(`ALTER DATABASE ${admin.escapeIdentifier(spare)} RENAME TO ${name}`);
    } catch (error) {
      if ((error as { code?: string }).code === INVALID_CATALOG_NAME) continue;
      throw error;
    }
    await nudgeKeeper(admin);
    return true;
  }
  return false;
}

/**
 * Gives a claimed database back: renamed for the keeper to drop, or, while a session is still
 * connected to it (a rename would wait for it), dropped here at once (WITH (FORCE) ends it).
 */
export async function releaseDatabase(admin: Client, name: string): Promise<void> {
  const { rows } = await boundedQuery<{ sessions: number }>(
    admin,
    "SELECT count(*)::int AS sessions FROM pg_stat_activity WHERE datname = $1",
    [name],
  );
  if (rows[0]!.sessions > 0) {
    await dropDatabase(admin, name, RELEASE_TIMEOUT_MS);
    return;
  }
  await boundedQuery(admin, `ALTER DATABASE ${name} RENAME TO ${RELEASED_PREFIX}${hex()}`);
  await nudgeKeeper(admin);
}

/**
 * A query with a time limit: `admin` was held open through the file's tests and may have died
 * quietly; the caller then drops the database on a new connection, within the cleanup hook's
 * time. pg reads a per-query query_timeout (client.js) that its types do not declare.
 */
function boundedQuery<Row extends object = object>(
  admin: Client,
  text: string,
  values: unknown[] = [],
  timeoutMs = RELEASE_TIMEOUT_MS,
) {
  return admin.query<Row>({ text, values, query_timeout: timeoutMs } as QueryConfig);
}

/** Milliseconds each statement of a release may take; Postgres gives up on a busy rename in 5 s. */
export const RELEASE_TIMEOUT_MS = 10_000;

/**
 * The keeper's side: a session on the shared database that LISTENs for nudges and, on each and
 * on every keep(), tops the spares up to `count` and drops released and abandoned databases. One tidy runs at a
 * time; a nudge during one asks for another after it. A lost session is opened again by the next
 * keep(). Every query has a time limit, so one that hangs cannot stop the keeper for good.
 */
export class SpareDatabaseKeeper {
  private session: Client | undefined;
  private opening: Promise<void> | undefined;
  private tidying: Promise<void> | undefined;
  private again = false;

  /**
   * `abandoned` says which other databases to drop too: those of test processes that are gone
   * (a run stopped by Ctrl-C never reaches its cleanup).
   */
  constructor(
    private readonly databaseUrl: string,
    private readonly abandoned: (name: string) => boolean = () => false,
    private readonly count = SPARE_DATABASES,
  ) {}

  /** Opens the session if none is open, then tidies. Never rejects: the next call tries again. */
  async keep(): Promise<void> {
    if (!this.session) {
      this.opening ??= this.open().finally(() => (this.opening = undefined));
      await this.opening.catch(() => {});
    }
    await this.tidy();
  }

  private async open(): Promise<void> {
    const client = keeperClient(this.databaseUrl);
    const lost = () => {
      if (this.session === client) this.session = undefined;
    };
    client.on("error", lost);
    client.on("end", lost);
    client.on("notification", () => void this.tidy());
    try {
      await client.connect();
      await client.query(`LISTEN ${KEEPER_CHANNEL}`);
      // One keeper per server: a spare half made is one its last session left (the session died).
      for (const making of await databasesNamed(client, MAKING_PREFIX))
        await dropDatabase(client, making);
    } catch (error) {
      await client.end().catch(() => {});
      throw error;
    }
    this.session = client;
  }

  private tidy(): Promise<void> {
    if (this.tidying) {
      this.again = true;
      return this.tidying;
    }
    this.tidying = (async () => {
      do {
        this.again = false;
        const session = this.session;
        if (!session) return;
        // Each step on its own: spares that cannot be made (a full disk, no connections left)
        // must not keep released databases, which free room, from being dropped. A lost
        // session or a failed statement is tried again by the next keep().
        await this.dropUnused(session).catch(() => {});
        await this.topUp(session).catch(() => {});
      } while (this.again);
    })().finally(() => (this.tidying = undefined));
    return this.tidying;
  }

  /** Drops the databases files released, and those `abandoned` names. */
  private async dropUnused(session: Client): Promise<void> {
    for (const name of await databasesNamed(session, "sandbox_"))
      if (name.startsWith(RELEASED_PREFIX) || this.abandoned(name))
        await dropDatabase(session, name);
  }

  /**
   * Each spare is made under another name and connected to once before it is renamed a spare:
   * the first session of a new database builds its relation cache file (pg_internal.init), which
   * the file's own first connection then finds made, and no file can claim a spare half made.
   */
  private async topUp(session: Client): Promise<void> {
    const missing = this.count - (await databasesNamed(session, SPARE_PREFIX)).length;
    for (let i = 0; i < missing; i++) {
      const id = hex();
      const making = `${MAKING_PREFIX}${id}`;
      await createDatabase(session, making);
      try {
        const url = new URL(this.databaseUrl);
        url.pathname = `/${making}`;
        const first = keeperClient(url.toString());
        first.on("error", () => {});
        await first.connect();
        await first.end();
        await session.query(`ALTER DATABASE ${making} RENAME TO ${SPARE_PREFIX}${id}`);
      } catch (error) {
        await dropDatabase(session, making).catch(() => {});
        throw error;
      }
    }
  }
}

/** The keeper's connections: a bounded wait to connect and for each query. */
function keeperClient(url: string): Client {
  return processPgClient({
    connectionString: url,
    connectionTimeoutMillis: 5000,
    query_timeout: 60_000,
  });
}

async function databasesNamed(
  client: Client,
  prefix: string,
  order = "datname",
): Promise<string[]> {
  const { rows } = await client.query<{ datname: string }>(
    `SELECT datname FROM pg_database WHERE starts_with(datname, $1) ORDER BY ${order}`,
    [prefix],
  );
  return rows.map((row) => row.datname);
}

/** Postgres' SQLSTATE syntax_error: before Postgres 15, CREATE DATABASE has no STRATEGY option. */
const SYNTAX_ERROR = "42601";
/** Servers (by host, port and user) that refused STRATEGY: their databases are made the old way. */
const withoutStrategy = new Set<string>();

/**
 * Creates an empty database `name` from `template1` by copying its files (`STRATEGY FILE_COPY`,
 * Postgres 15+) rather than by writing every page of the template to the WAL (15's default,
 * `WAL_LOG`): for a template of a few MB, as a test server's is, that costs the machine about 0.01
 * CPU-seconds a database against 0.08-0.10 (docs/performance.md, "Test databases by file copy").
 * Its two checkpoints are cheap here: test servers hold little data and run with fsync off. A
 * server older than 15 refuses the option with a syntax error; the database is then made without
 * it, and so is every later one on that server.
 */
export async function createDatabase(client: Client, name: string): Promise<void> {
  const server = `${client.host}:${client.port}:${client.user}`;
  if (!withoutStrategy.has(server)) {
    try {
      await client.query(`CREATE DATABASE ${name} STRATEGY FILE_COPY`);
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== SYNTAX_ERROR) throw error;
      withoutStrategy.add(server);
    }
  }
  await client.query(`CREATE DATABASE ${name}`);
}

/**
 * Drops a database, ending any session still connected to it (WITH (FORCE)). `timeoutMs` limits
 * the statement when the client's own limit is too long or absent (a file's held connection).
 */
export async function dropDatabase(
  client: Client,
  name: string,
  timeoutMs?: number,
): Promise<void> {
  const text = `DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`;
  await (timeoutMs === undefined ? client.query(text) : boundedQuery(client, text, [], timeoutMs));
}

/** Best effort: a keeper that misses it tidies at its next tick anyway. */
async function nudgeKeeper(admin: Client): Promise<void> {
  await admin.query(`NOTIFY ${KEEPER_CHANNEL}`).catch(() => {});
}

function hex(): string {
  return randomBytes(6).toString("hex");
}
