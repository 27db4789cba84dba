import { useLearner, useServices } from "@backend-sandbox/testkit";
import type * as Migrations from "#src/migrations";
import type { Migration } from "#src/migrations";
import { learnerPool } from "#support/learner-pool";

const learner = useLearner();
const services = useServices();
const { migrate } = learner.module<typeof Migrations>("migrations");

describe("migrations", () => {
  it("[R1.1, R1.4] lets two runners start at once: together they apply every migration once, each in version order", async () => {
    const pools = [
      await learnerPool(learner, services.databaseUrl, { max: 2 }),
      await learnerPool(learner, services.databaseUrl, { max: 2 }),
    ];
    const [first, second] = await Promise.all(pools.map((pool) => migrate(pool)));
    const migrations = await (
      await learner.process()
    ).value<Migration[]>("migrations", "migrations");
    const versions = migrations.map((m) => m.version).sort((a, b) => a - b);
    for (const applied of [first!, second!])
      expect(applied).toEqual([...applied].sort((a, b) => a - b));
    expect([...first!, ...second!].sort((a, b) => a - b)).toEqual(versions);
    const { rows } = await services.pg.query(
      "SELECT version FROM schema_migrations ORDER BY version",
    );
    expect(rows.map((row) => Number(row.version))).toEqual(versions);
  });

  it("[R1.2] records each migration in schema_migrations(version, name, applied_at), and a second run changes nothing", async () => {
    const read = async () =>
      (
        await services.pg.query(
          "SELECT version, name, applied_at FROM schema_migrations ORDER BY version",
        )
      ).rows;
    const before = await read();
    expect(await migrate(await learnerPool(learner, services.databaseUrl))).toEqual([]);
    expect(await read()).toEqual(before);
  });

  it("[R1.6] rejects a negative balance in the database itself (CHECK, SQLSTATE 23514)", async () => {
    await services.pg.query(
      "INSERT INTO accounts (email, name, balance) VALUES ('ann@example.test', 'Ann', 5)",
    );
    await expect(services.pg.query("UPDATE accounts SET balance = -1")).rejects.toMatchObject({
      code: "23514",
    });
  });
});
