import { spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { readSetting } from "../choose-provider";
import { ServiceError } from "../providers/provider";
import { redact } from "../readiness";
import { waitFor } from "../wait-for";
import {
  SHARED_SERVICES_ENV,
  sharedServicesIn,
  type SharedServices,
  type StartedServices,
} from "../shared-services";
import { serverIdentity } from "./server-identity";
import {
  isAlive,
  keeperLog,
  lastUsedAt,
  liveLeases,
  readWarmState,
  removeWarmState,
  takeLease,
  warmDir,
  withWarmLock,
  type WarmState,
} from "./warm-state";

/** Minutes without a run before warm services stop, unless SANDBOX_SERVICES_IDLE_MINUTES says otherwise. */
const DEFAULT_IDLE_MINUTES = 30;

/**
 * Whether a run should attach to warm services rather than start and end its own: yes in the
 * learner's loop; no when a parent handed it services (the grader, verify), in CI (`CI` set) and
 * for SANDBOX_SERVICES=external (servers the user runs). SANDBOX_WARM_SERVICES=0 or 1 overrides
 * the last two.
 */
export function warmServicesWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  if (sharedServicesIn(env)) return false;
  if (env.SANDBOX_WARM_SERVICES === "0") return false;
  if (env.SANDBOX_WARM_SERVICES === "1") return true;
  if (env.CI && env.CI !== "false" && env.CI !== "0") return false;
  return readSetting(env) !== "external";
}

/** SANDBOX_SERVICES_IDLE_MINUTES as a number of minutes (default 30); throws a one-line error if it is not one. */
function idleMinutes(env: NodeJS.ProcessEnv = process.env): number {
  const text = env.SANDBOX_SERVICES_IDLE_MINUTES;
  if (text === undefined || text === "") return DEFAULT_IDLE_MINUTES;
  const minutes = Number(text);
  if (!Number.isFinite(minutes) || minutes <= 0)
    throw new ServiceError(
      `SANDBOX_SERVICES_IDLE_MINUTES=${text} is not a positive number of minutes`,
    );
  return minutes;
}

/**
 * For a Jest run's global setup: the warm Redis and Postgres, started first if there are none
 * (or replaced, in one line on stderr, if they no longer answer as themselves). The run holds a
 * lease until dispose(), which gives it back and leaves the services running for the next run;
 * if the run dies first, the keeper removes the `leftovers` folders it names.
 */
export async function attachWarmServices(
  env: NodeJS.ProcessEnv = process.env,
  say: (line: string) => void = (line) => console.error(line),
  leftovers: string[] = [],
): Promise<StartedServices> {
  const dir = warmDir(env);
  return withWarmLock(dir, async () => {
    const state = await ensureUnderLock(dir, env, say);
    const giveBack = takeLease(dir, process.pid, leftovers);
    return {
      services: sharedPart(state),
      description: `warm ${state.description}`,
      dispose: async () => giveBack(),
    };
  });
}

/** `sandbox services up`: the warm services, started if needed, without attaching a run. */
export function ensureWarmServices(
  env: NodeJS.ProcessEnv = process.env,
  say: (line: string) => void = (line) => console.error(line),
): Promise<WarmState> {
  const dir = warmDir(env);
  return withWarmLock(dir, () => ensureUnderLock(dir, env, say));
}

export interface WarmStatus {
  /** The warm services, or undefined when none are recorded. */
  state?: WarmState;
  /** Why the recorded services no longer serve (the next run replaces them), or undefined. */
  stale?: string;
  /** Jest runs attached now. */
  runs: number;
  /** Milliseconds since a run last attached or ended. */
  idleMs: number;
}

/** `sandbox services status`: what is recorded, and whether it still answers as itself. */
export async function warmServicesStatus(
  env: NodeJS.ProcessEnv = process.env,
): Promise<WarmStatus> {
  const dir = warmDir(env);
  const state = readWarmState(dir);
  return {
    state,
    stale: state && (await whyStale(state, env))?.reason,
    runs: liveLeases(dir).length,
    idleMs: Date.now() - lastUsedAt(dir),
  };
}

/**
 * `sandbox services down`: asks the keeper to stop (SIGTERM), waits up to `waitMs` for it to end
 * its services, then kills it (its reaper removes what is left). Resolves to what was stopped.
 */
export async function stopWarmServices(
  env: NodeJS.ProcessEnv = process.env,
  waitMs = 20_000,
): Promise<WarmState | undefined> {
  const dir = warmDir(env);
  return withWarmLock(dir, async () => {
    const state = readWarmState(dir);
    if (!state) return undefined;
    removeWarmState(dir);
    await endKeeper(state.keeperPid, waitMs);
    return state;
  });
}

/** The connection URLs in words, passwords hidden: for status lines. */
export function describeWarm(state: WarmState): string[] {
  return [`redis     ${state.redisUrl}`, `postgres  ${redact(state.databaseUrl)}`];
}

async function ensureUnderLock(
  dir: string,
  env: NodeJS.ProcessEnv,
  say: (line: string) => void,
): Promise<WarmState> {
  const recorded = readWarmState(dir);
  if (recorded) {
    const stale = await whyStale(recorded, env);
    if (!stale) return recorded;
    // Services that still work are never stopped under runs that use them, though this run
    // wants another kind: it gets services of its own instead.
    const users = liveLeases(dir).length;
    if (stale.working && users > 0)
      throw new WarmServicesInUse(
        `${stale.reason}, in use by ${users === 1 ? "another run" : `${users} other runs`}`,
      );
    say(`warm services replaced: ${stale.reason}`);
    removeWarmState(dir);
    // Not waited on: the new services take new ports, and the old keeper cleans up by itself.
    void endKeeper(recorded.keeperPid, 5000);
  }
  const started = Date.now();
  const state = await startKeeper(dir, env);
  say(
    `started warm Redis and Postgres (${state.provider}, ${((Date.now() - started) / 1000).toFixed(1)} s); ` +
      `they stay up for your next runs until ${state.idleMinutes} min without one (\`npx sandbox services down\` stops them now)`,
  );
  return state;
}

/**
 * Raised when the warm services are of another kind than this run asks for (SANDBOX_SERVICES) and
 * other runs use them: they stay, and the run starts services of its own (global setup).
 */
export class WarmServicesInUse extends Error {
  constructor(reason: string) {
    super(`warm services left as they are: ${reason}`);
    this.name = "WarmServicesInUse";
  }
}

/** Why recorded services cannot serve this run; `working` when they still work, for other runs. */
interface Staleness {
  reason: string;
  working: boolean;
}

/** Why recorded warm services cannot be used as they are, or undefined when they can. */
async function whyStale(state: WarmState, env: NodeJS.ProcessEnv): Promise<Staleness | undefined> {
  const broken = (reason: string) => ({ reason, working: false });
  if (!isAlive(state.keeperPid)) return broken(`their keeper (pid ${state.keeperPid}) is gone`);
  try {
    const identity = await serverIdentity(state, 1500);
    if (identity.redis !== state.identity.redis)
      return broken(
        `Redis at ${state.redisUrl} is another server now (restarted, or its port taken)`,
      );
    if (identity.postgres !== state.identity.postgres)
      return broken(
        `Postgres at ${redact(state.databaseUrl)} is another server now (restarted, or its port taken)`,
      );
  } catch (error) {
    return broken(`they stopped answering (${(error as Error).message.split("\n")[0]})`);
  }
  const setting = readSetting(env);
  if (setting !== "auto" && setting !== state.provider)
    return {
      reason: `SANDBOX_SERVICES=${setting}, and the warm ones are ${state.provider}`,
      working: true,
    };
  return undefined;
}

/** Starts keeper-process.ts (through keeper-boot.js) in its own session and waits until it records answering services. */
async function startKeeper(dir: string, env: NodeJS.ProcessEnv): Promise<WarmState> {
  const keeperEnv: NodeJS.ProcessEnv = {
    ...env,
    SANDBOX_WARM_DIR: dir,
    SANDBOX_SERVICES_IDLE_MINUTES: String(idleMinutes(env)),
  };
  for (const name of [...SHARED_SERVICES_ENV, "JEST_WORKER_ID", "NODE_OPTIONS"])
    delete keeperEnv[name];
  const log = openSync(keeperLog(dir), "w");
  const keeper = spawn(process.execPath, [join(__dirname, "keeper-boot.js")], {
    cwd: dir,
    detached: true,
    stdio: ["ignore", log, log],
    env: keeperEnv,
  });
  closeSync(log);
  keeper.unref();
  const exited = new Promise<number | null>((resolve) => keeper.once("exit", resolve));
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    const state = readWarmState(dir);
    if (state && state.keeperPid === keeper.pid) return state;
    const code = await Promise.race([exited, new Promise((r) => setTimeout(r, 50, "waiting"))]);
    if (code !== "waiting") {
      const said = readFileSync(keeperLog(dir), "utf8").trim().split("\n").slice(-6).join("\n");
      throw new ServiceError(said || `the warm services' keeper exited with code ${code}`);
    }
  }
  keeper.kill("SIGKILL");
  throw new ServiceError(
    `the warm services did not answer within 180 s (see ${keeperLog(dir)}); set SANDBOX_WARM_SERVICES=0 to start services per run`,
  );
}

/** SIGTERM, then SIGKILL after `waitMs` if the keeper is still there. */
async function endKeeper(pid: number, waitMs: number): Promise<void> {
  if (!signal(pid, "SIGTERM")) return;
  await waitFor(`keeper ${pid} to end`, async () => !isAlive(pid), waitMs).catch(() =>
    signal(pid, "SIGKILL"),
  );
}

function signal(pid: number, name: NodeJS.Signals): boolean {
  try {
    process.kill(pid, name);
    return true;
  } catch {
    return false;
  }
}

function sharedPart(state: WarmState): SharedServices {
  return { provider: state.provider, redisUrl: state.redisUrl, databaseUrl: state.databaseUrl };
}
