import { Client } from "pg";
import { startPostgres } from "../src";
import { fileDatabase } from "../src/use-services";
import { createDatabase } from "../src/warm-services/spare-databases";

// A test file's own database where no keeper makes spares (CI's runs, verify, grading): created
// at the file's start and dropped at its end on the process's held admin connection, since each
// connection costs the server a process. A Postgres of this file's own, so that no keeper's spare is claimed.
let sharedUrl: string;
let monitor: Client;

beforeAll(async () => {
  sharedUrl = (await startPostgres()).url;
  monitor = new Client({ connectionString: sharedUrl });
  monitor.on("error", () => {}); // the server of this file's own may stop before afterAll
  await monitor.connect();
}, 60_000);
afterAll(() => monitor.end());

const sessionsSoFar = async () =>
  Number((await monitor.query("SELECT sum(sessions) AS n FROM pg_stat_database")).rows[0].n);
const exists = async (name: string) =>
  (await monitor.query("SELECT 1 FROM pg_database WHERE datname = $1", [name])).rowCount === 1;

/** Ends the held admin session: the only other client on the shared database. */
async function terminateHeldSession(): Promise<void> {
  const { rowCount } = await monitor.query(
    `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
      WHERE datname = current_database() AND pid <> pg_backend_pid()
        AND backend_type = 'client backend'`,
  );
  expect(rowCount).toBe(1);
}

describe("a test file's database without spares", () => {
  it("is created and dropped on one Postgres session, held for the process's later files", async () => {
    const before = await sessionsSoFar();
    const database = await fileDatabase(sharedUrl);
    expect(await exists(database.name)).toBe(true);
    await database.release();
    expect(await exists(database.name)).toBe(false);
    const next = await fileDatabase(sharedUrl);
    await next.release();
    expect(await exists(next.name)).toBe(false);
    expect((await sessionsSoFar()) - before).toBe(1);
  });

  it("is made by copying template1's files, not by writing its pages to the WAL", async () => {
    const walAt = async () =>
      String((await monitor.query("SELECT pg_current_wal_insert_lsn() AS lsn")).rows[0].lsn);
    const before = await walAt();
    const database = await fileDatabase(sharedUrl);
    const { rows } = await monitor.query(
      "SELECT pg_wal_lsn_diff($1, $2)::bigint AS bytes, pg_database_size($3)::bigint AS size",
      [await walAt(), before, database.name],
    );
    await database.release();
    // WAL_LOG, Postgres 15's default, would write about the whole template (several MB) to the WAL.
    expect(Number(rows[0].size)).toBeGreaterThan(4 * 1024 ** 2);
    expect(Number(rows[0].bytes)).toBeLessThan(256 * 1024);
  });

  it("is made on a new session when the held one was lost since the last file", async () => {
    await (await fileDatabase(sharedUrl)).release();
    await terminateHeldSession();
    const database = await fileDatabase(sharedUrl);
    expect(await exists(database.name)).toBe(true);
    await database.release();
    expect(await exists(database.name)).toBe(false);
  });

  it("is dropped on a new session when the held one was lost", async () => {
    const database = await fileDatabase(sharedUrl);
    await terminateHeldSession();
    await database.release();
    expect(await exists(database.name)).toBe(false);
  });
});

describe("createDatabase on a server older than Postgres 15", () => {
  it("makes the database without STRATEGY after the server refuses it, and never asks again", async () => {
    const sent: string[] = [];
    const oldServer = {
      host: "old.example",
      port: 5432,
      user: "postgres",
      query: async (text: string) => {
        sent.push(text);
        if (text.includes("STRATEGY"))
          throw Object.assign(new Error('option "strategy" not recognized'), { code: "42601" });
        return { rows: [] };
      },
    } as unknown as Client;
    await createDatabase(oldServer, "first");
    await createDatabase(oldServer, "second");
    expect(sent).toEqual([
      "CREATE DATABASE first STRATEGY FILE_COPY",
      "CREATE DATABASE first",
      "CREATE DATABASE second",
    ]);
  });

  it("passes on any other error", async () => {
    const full = {
      host: "full.example",
      port: 5432,
      user: "postgres",
      query: async () => {
        throw Object.assign(new Error("too many connections"), { code: "53300" });
      },
    } as unknown as Client;
    await expect(createDatabase(full, "x")).rejects.toThrow("too many connections");
  });
});
