import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "pg";
import { fileDatabase } from "../src/use-services";
import { waitFor } from "../src/wait-for";
import {
  claimSpareDatabase,
  KEEPER_CHANNEL,
  releaseDatabase,
  SPARE_DATABASES,
} from "../src/warm-services/spare-databases";
import { ensureWarmServices, stopWarmServices } from "../src/warm-services/warm-services";
import { fixtureEnv, warmServicesProvider } from "./fixture-run";

// The keeper's spare databases, against warm services of this file's own (the provider of this
// run; warm services are never external, so native stands in). This process stays alive, so the
// keeper's sweep of dead runs' databases never drops what these tests made: only a release does.
const dir = mkdtempSync(join(tmpdir(), "spare-test-"));
const env = fixtureEnv({
  SANDBOX_WARM_SERVICES: "1",
  SANDBOX_WARM_DIR: dir,
  SANDBOX_SERVICES: warmServicesProvider(),
  SANDBOX_SERVICES_IDLE_MINUTES: "2",
});
let sharedUrl: string;

const names = async (prefix = "sandbox_") =>
  (await query(sharedUrl, "SELECT datname FROM pg_database")).filter((name) =>
    name.startsWith(prefix),
  );
const spares = () => names("sandbox_spare_");
const allSpares = () =>
  waitFor("the keeper's spares", async () => (await spares()).length === SPARE_DATABASES, 20_000);

beforeAll(async () => {
  sharedUrl = (await ensureWarmServices(env, () => {})).databaseUrl;
  await allSpares();
}, 120_000);

afterAll(async () => {
  await stopWarmServices(env).catch(() => {});
  rmSync(dir, { recursive: true, force: true });
});

describe("a test file's database with warm services", () => {
  // Each test starts from a full set: the keeper may still be making the one the last test took.
  beforeEach(allSpares);

  it("is one of the keeper's spares, renamed to the file's name, and empty", async () => {
    const before = await spares();
    const database = await fileDatabase(sharedUrl);
    try {
      const after = await spares();
      expect(before.filter((spare) => !after.includes(spare))).toHaveLength(1);
      expect(await names(database.name)).toEqual([database.name]);
      expect(
        await query(
          database.url,
          "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace",
        ),
      ).toEqual([]);
    } finally {
      await database.release();
    }
  });

  it("is replaced by a new spare, made by the keeper", async () => {
    const before = await spares();
    const database = await fileDatabase(sharedUrl);
    await database.release();
    let after: string[] = [];
    await waitFor(
      "a new spare",
      async () => (after = await spares()).length === SPARE_DATABASES,
      20_000,
    );
    expect(after.filter((spare) => !before.includes(spare))).toHaveLength(1);
  });

  it("is released to the keeper, which drops it", async () => {
    const database = await fileDatabase(sharedUrl);
    await query(database.url, "CREATE TABLE left_behind (id int)");
    // Listening only now: the claim's nudge went before; a release that drops the database
    // itself instead of handing it over sends none.
    const listener = new Client({ connectionString: sharedUrl });
    await listener.connect();
    try {
      const nudged = new Promise((resolve) => listener.once("notification", resolve));
      await listener.query(`LISTEN ${KEEPER_CHANNEL}`);
      await database.release();
      await nudged;
    } finally {
      await listener.end();
    }
    await waitFor(
      "the released database dropped",
      async () =>
        (await names(database.name)).length === 0 &&
        (await names("sandbox_released_")).length === 0,
      20_000,
    );
  });

  it("still in use when released, is dropped at once rather than renamed", async () => {
    const name = `sandbox_${process.pid}_in0use`;
    const admin = new Client({ connectionString: sharedUrl });
    await admin.connect();
    const leftOpen = new Client({ connectionString: sharedUrl.replace(/\/[^/]*$/, `/${name}`) });
    leftOpen.on("error", () => {}); // DROP ... WITH (FORCE) ends its session
    try {
      expect(await claimSpareDatabase(admin, name)).toBe(true);
      await leftOpen.connect();
      // A rename would wait 5 s for the session and then fail (object_in_use).
      await releaseDatabase(admin, name);
      expect(await names(name)).toEqual([]);
    } finally {
      await leftOpen.end().catch(() => {});
      await admin.end();
    }
  });
});

describe("files claiming spares at once", () => {
  it("never rename the same spare: each claim that succeeds leaves a database of its own", async () => {
    await allSpares();
    const admins = await Promise.all(
      Array.from({ length: SPARE_DATABASES + 2 }, async () => {
        const admin = new Client({ connectionString: sharedUrl });
        await admin.connect();
        return admin;
      }),
    );
    const wanted = admins.map((_, i) => `sandbox_${process.pid}_c1a1${i}`);
    try {
      const claimed = await Promise.all(
        admins.map((admin, i) => claimSpareDatabase(admin, wanted[i]!)),
      );
      const present = await names();
      // Every spare was there to be had; one renamed twice would leave a claimed name missing.
      expect(claimed.filter(Boolean).length).toBeGreaterThanOrEqual(SPARE_DATABASES);
      expect(wanted.filter((name, i) => claimed[i] && !present.includes(name))).toEqual([]);
    } finally {
      for (const name of wanted) await query(sharedUrl, `DROP DATABASE IF EXISTS ${name}`);
      await Promise.all(admins.map((admin) => admin.end()));
    }
  });
});

/** The first column of each row of `sql`'s result, as text. */
async function query(url: string, sql: string): Promise<string[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<Record<string, string>>(sql)).rows.map((row) =>
      String(Object.values(row)[0]),
    );
  } finally {
    await client.end();
  }
}
