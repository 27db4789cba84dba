import { Client } from "pg";
import { startPostgres } from "../src";
import { fileDatabase } from "../src/use-services";

// A test file's own database where no keeper makes spares (CI's runs, verify, grading): created
// at the file's start and dropped at its end on one held connection, since each connection costs
// the server a process. A Postgres of this file's own, so that no keeper's spare is claimed.
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

describe("a test file's database without spares", () => {
  it("is created and dropped on one Postgres session", async () => {
    const before = await sessionsSoFar();
    const database = await fileDatabase(sharedUrl);
    expect(await exists(database.name)).toBe(true);
    await database.release();
    expect(await exists(database.name)).toBe(false);
    expect((await sessionsSoFar()) - before).toBe(1);
  });

  it("is dropped on a new session when the held one was lost", async () => {
    const database = await fileDatabase(sharedUrl);
    // The held connection is the only other client on the shared database.
    const { rowCount } = await monitor.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid()
          AND backend_type = 'client backend'`,
    );
    expect(rowCount).toBe(1);
    await database.release();
    expect(await exists(database.name)).toBe(false);
  });
});
