import { useServices } from "@backend-sandbox/testkit";
import { migrate, migrations } from "#src/migrations";

const services = useServices();

describe("migrations", () => {
  it("applies every migration to an empty database, in version order, and records them", async () => {
    const applied = await migrate(services.pg);
    const versions = migrations.map((m) => m.version).sort((a, b) => a - b);
    expect(applied).toEqual(versions);
    const { rows } = await services.pg.query("SELECT version FROM schema_migrations ORDER BY version");
    expect(rows.map((row) => Number(row.version))).toEqual(versions);
  });

  it("applies nothing the second time", async () => {
    expect(await migrate(services.pg)).toEqual([]);
  });

  it("rejects a negative balance in the database itself (CHECK, SQLSTATE 23514)", async () => {
    await services.pg.query("INSERT INTO accounts (email, name, balance) VALUES ('ann@example.test', 'Ann', 5)");
    await expect(services.pg.query("UPDATE accounts SET balance = -1")).rejects.toMatchObject({ code: "23514" });
  });
});
