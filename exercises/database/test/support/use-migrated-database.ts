// One call sets up a test file's own Postgres database, migrated (by the learner's `migrate`, in
// the learner's process) before its first test.
import { useServices, type FileLearner, type FileServices } from "@backend-sandbox/testkit";
import type * as Migrations from "#src/migrations";
import { learnerPool } from "./learner-pool";

export function useMigratedDatabase(learner: FileLearner): FileServices {
  const services = useServices();
  beforeAll(async () => {
    const pool = await learnerPool(learner, services.databaseUrl, { max: 2 });
    await learner.module<typeof Migrations>("migrations").migrate(pool);
    await pool.end();
  }, 30_000);
  return services;
}
