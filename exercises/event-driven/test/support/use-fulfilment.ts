// What the test files of this exercise set up alike: the file's services, the learner's process
// with the schema migrated before the first test, every worker stopped after each test, and a
// stream and consumer group of its own for each test that asks (so tests never share entries).
import {
  seededRandom,
  useLearner,
  useServices,
  type FileLearner,
  type FileServices,
  type SeededRandom,
} from "@backend-sandbox/testkit";
import type { OrderEvent } from "#src/types";
import { appliedTotals, migrate } from "./fulfilment";
import { stopWorkers } from "./workers";

export interface FulfilmentFile {
  services: FileServices;
  learner: FileLearner;
  random: SeededRandom;
  /** The file's services with a new stream (`orders:<token>`) and group (`g-<token>`). */
  newWhere(): FileServices & { stream: string; group: string };
  /** How many times each of `events` was applied in Postgres, summed over them. */
  applications(events: OrderEvent[]): Promise<number>;
}

/** Call at the top of a test file. */
export function useFulfilment(): FulfilmentFile {
  const services = useServices();
  const learner = useLearner();
  const random = seededRandom();
  beforeAll(() => migrate(learner, services.databaseUrl));
  afterEach(stopWorkers);
  return {
    services,
    learner,
    random,
    newWhere: () => ({
      ...services,
      stream: `orders:${random.token(8)}`,
      group: `g-${random.token(6)}`,
    }),
    applications: async (events) => (await appliedTotals(services.pg, events)).applications,
  };
}
