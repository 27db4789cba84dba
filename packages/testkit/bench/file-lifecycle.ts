// One test file's share of useServices(), timed outside Jest for scripts/bench-file-databases.mjs:
// its setup (a Redis logical database and a Postgres database of its own), its first round trip to
// each (the clients' connections), and its cleanup, against the services the environment hands
// down (SANDBOX_PROVIDER, SANDBOX_REDIS_URL, SANDBOX_DATABASE_URL), or else services it starts
// first from SANDBOX_SERVICES, as a CI run does (no keeper, so no spare databases). Prints one
// JSON line: the milliseconds of each part, one entry per file.
// Usage: node --require tsx/cjs bench/file-lifecycle.ts <files> <pause between files, ms>
import { runCleanups } from "../src/cleanup";
import { sharedServicesEnv, startSharedServices } from "../src/shared-services";
import { useServices } from "../src/use-services";

type Hook = () => Promise<void>;
let setUp: Hook | undefined;
// useServices() registers its setup with Jest's beforeAll; here the script calls it itself.
(globalThis as { beforeAll?: (hook: Hook) => void }).beforeAll = (hook) => (setUp = hook);

async function main(files: number, pauseMs: number): Promise<void> {
  const started = await startSharedServices(process.env);
  Object.assign(process.env, sharedServicesEnv(started.services));
  const times = { setup: [] as number[], first: [] as number[], cleanup: [] as number[] };
  const lap = async (part: keyof typeof times, work: () => Promise<unknown>) => {
    const started = performance.now();
    await work();
    times[part].push(performance.now() - started);
  };
  for (let i = 0; i < files; i++) {
    const services = useServices();
    await lap("setup", () => setUp!());
    await lap("first", () => Promise.all([services.redis.ping(), services.pg.query("SELECT 1")]));
    await lap("cleanup", runCleanups);
    // Between two files Jest loads the next one: the keeper's time to make a spare again.
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
  await started.dispose();
  console.log(JSON.stringify(times));
}

void main(Number(process.argv[2] ?? 20), Number(process.argv[3] ?? 150));
