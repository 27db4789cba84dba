// One test file's share of useServices(), timed outside Jest for scripts/bench-file-databases.mjs:
// its setup (a Redis logical database and a Postgres database of its own), its first round trip to
// each (the clients' connections), and its cleanup, against the services the environment hands
// down (SANDBOX_PROVIDER, SANDBOX_REDIS_URL, SANDBOX_DATABASE_URL), or else services it starts
// first from SANDBOX_SERVICES, as a CI run does (no keeper, so no spare databases). Prints one
// JSON line: the milliseconds of each part and the Postgres sessions opened while the file ran
// (pg_stat_database's `sessions`: those of a dropped database go with it), one entry per file,
// and the machine's CPU-seconds over all files (/proc/stat: the servers' share too).
// BENCH_TESTKIT_SRC names another checkout's packages/testkit/src to time its useServices()
// instead of this one's (bench-file-databases.mjs --against).
// Usage: node --require tsx/cjs bench/file-lifecycle.ts <files> <pause between files, ms>
import path from "node:path";
import { Client } from "pg";

type Hook = () => Promise<void>;
let setUp: Hook | undefined;
// useServices() registers its setup with Jest's beforeAll; here the script calls it itself.
(globalThis as { beforeAll?: (hook: Hook) => void }).beforeAll = (hook) => (setUp = hook);

const src = process.env.BENCH_TESTKIT_SRC ?? path.join(__dirname, "../src");
// require(): the checkout timed is chosen at run time.
const { runCleanups } = require(path.join(src, "cleanup")) as typeof import("../src/cleanup");
const { sharedServicesEnv, startSharedServices } = require(
  path.join(src, "shared-services"),
) as typeof import("../src/shared-services");
const { useServices } = require(
  path.join(src, "use-services"),
) as typeof import("../src/use-services");
const { machineCpuSeconds } = require("../../../scripts/bench-stats.mjs") as {
  machineCpuSeconds: () => number;
};

async function main(files: number, pauseMs: number): Promise<void> {
  const started = await startSharedServices(process.env);
  Object.assign(process.env, sharedServicesEnv(started.services));
  // One session held through the run, so that counting opens none.
  const monitor = new Client({ connectionString: started.services.databaseUrl });
  await monitor.connect();
  const sessions = async () =>
    Number(
      (await monitor.query<{ n: string }>("SELECT sum(sessions) AS n FROM pg_stat_database"))
        .rows[0]!.n,
    );
  const times = {
    setup: [] as number[],
    first: [] as number[],
    cleanup: [] as number[],
    sessions: [] as number[],
    cpuSeconds: 0,
  };
  const lap = async (part: "setup" | "first" | "cleanup", work: () => Promise<unknown>) => {
    const started = performance.now();
    await work();
    times[part].push(performance.now() - started);
  };
  const cpuBefore = machineCpuSeconds();
  for (let i = 0; i < files; i++) {
    const before = await sessions();
    const services = useServices();
    await lap("setup", () => setUp!());
    await lap("first", () => Promise.all([services.redis.ping(), services.pg.query("SELECT 1")]));
    await lap("cleanup", runCleanups);
    times.sessions.push((await sessions()) - before);
    // Between two files Jest loads the next one: the keeper's time to make a spare again.
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
  times.cpuSeconds = machineCpuSeconds() - cpuBefore;
  await monitor.end();
  await started.dispose();
  console.log(JSON.stringify(times));
}

void main(Number(process.argv[2] ?? 20), Number(process.argv[3] ?? 150));
