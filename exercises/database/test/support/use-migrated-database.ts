// One call sets up a test file's own Postgres database, migrated before its first test.
import { useServices, type FileServices } from "@backend-sandbox/testkit";
import { migrate } from "#src/migrations";

export function useMigratedDatabase(): FileServices {
  const services = useServices();
  beforeAll(() => migrate(services.pg));
  return services;
}
