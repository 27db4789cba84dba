// The keeper: a detached process that owns the warm Redis and Postgres of the learner's loop.
// It starts them with the usual provider (so its reaper removes them even if it is killed),
// writes state.json once they answer, and stops them after `idleMinutes` without a run, or on
// SIGTERM (`sandbox services down`). Runs attach through warm-services.ts and never own them.
// It also keeps the spare databases test files claim (spare-databases.ts). Started by startKeeper()
// in its own session: a Ctrl-C in the learner's terminal never reaches it.
import { startSharedServices, SHARED_SERVICES_ENV, type StartedServices } from "../shared-services";
import { ownerOfFileDatabase } from "../use-services";
import { serverIdentity } from "./server-identity";
import { SpareDatabaseKeeper } from "./spare-databases";
import {
  isAlive,
  lastUsedAt,
  liveLeases,
  readWarmState,
  removeWarmState,
  touchLastUsed,
  warmDir,
  withWarmLock,
  writeWarmState,
} from "./warm-state";

const dir = warmDir();
const idleMinutes = Number(process.env.SANDBOX_SERVICES_IDLE_MINUTES);
const idleMs = idleMinutes * 60_000;
let running: StartedServices | undefined;
let spares: SpareDatabaseKeeper | undefined;
let stopping = false;

async function main(): Promise<void> {
  for (const name of SHARED_SERVICES_ENV) delete process.env[name];
  process.on("SIGTERM", () => void stop("asked to stop (SIGTERM)"));
  process.on("SIGINT", () => {}); // only `down`, idleness or SIGKILL end the keeper
  process.on("SIGHUP", () => {});
  running = await startSharedServices(process.env);
  const identity = await serverIdentity(running.services);
  touchLastUsed(dir);
  writeWarmState(dir, {
    ...running.services,
    keeperPid: process.pid,
    startedAt: new Date().toISOString(),
    idleMinutes,
    identity,
    description: running.description,
  });
  log(`serving ${running.description}: ${running.services.redisUrl}`);
  // After the state is written: the first run does not wait for spares, its files create their own.
  spares = new SpareDatabaseKeeper(running.services.databaseUrl, (name) => {
    const owner = ownerOfFileDatabase(name);
    return owner !== undefined && !isAlive(owner);
  });
  void spares.keep();
  // Checks a few times per idle period, at most every 30 s and at least every second.
  const every = Math.min(30_000, Math.max(1000, idleMs / 4));
  setInterval(() => void tick(), every);
}

async function tick(): Promise<void> {
  if (stopping || !running) return;
  if (liveLeases(dir).length > 0) touchLastUsed(dir);
  else if (Date.now() - lastUsedAt(dir) >= idleMs) {
    // Under the lock, so no run attaches between this look and state.json going away.
    const idle = await withWarmLock(dir, async () => {
      if (liveLeases(dir).length > 0 || Date.now() - lastUsedAt(dir) < idleMs) return false;
      forgetState();
      return true;
    });
    if (idle) return stop(`idle for ${idleMinutes} min`);
  }
  await spares?.keep();
}

function forgetState(): void {
  if (readWarmState(dir)?.keeperPid === process.pid) removeWarmState(dir);
}

async function stop(why: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log(`stopping: ${why}`);
  forgetState();
  await running?.dispose();
  process.exit(0);
}

function log(message: string): void {
  console.log(`${new Date().toISOString()} keeper ${process.pid}: ${message}`);
}

main().catch((error: Error) => {
  console.error(error.message);
  void running?.dispose().finally(() => process.exit(1));
  if (!running) process.exit(1);
});
