// The consumers' functions (src/consumers.ts), called in the learner's process. Each call hands
// over Postgres connection settings; the pool the learner's process builds from them holds one
// connection, closed soon after the call, so that many calls do not pile up connections.
import { pgPool, type FileServices } from "@backend-sandbox/testkit";
import type * as ConsumersModule from "#src/consumers";
import type { NewConsumer } from "#src/types";
import { processOf, type Learner } from "./serve-gateway";

export function consumers(learner: Learner, services: FileServices) {
  const module = async () => (await processOf(learner)).module<typeof ConsumersModule>("consumers");
  const pool = () =>
    pgPool({ connectionString: services.databaseUrl, max: 1, idleTimeoutMillis: 200 });
  return {
    /** migrate(pg) */
    migrate: async () => (await module()).migrate(pool()),
    /** createConsumer(pg, consumer): the new consumer's id. */
    create: async (consumer: NewConsumer) => (await module()).createConsumer(pool(), consumer),
  };
}

export type Consumers = ReturnType<typeof consumers>;
