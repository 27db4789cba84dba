import {
  describeWarm,
  ensureWarmServices,
  stopWarmServices,
  warmServicesStatus,
  type WarmState,
} from "@backend-sandbox/testkit/runner";
import { suggestion } from "../terminal/closest-names";
import { parseNumber } from "../terminal/parse-number";
import { UsageError } from "../terminal/usage-error";

const ACTIONS = ["status", "up", "down"] as const;
type Action = (typeof ACTIONS)[number];

/**
 * `sandbox services status|up|down`: the warm Redis and Postgres of the learner's loop, which the
 * first `npm test` starts and later runs attach to (docs/services.md#warm-services). `up` starts
 * them now, with `--idle <minutes>` as their idle timeout; `down` stops them. Exit 0, or 2 on an
 * unknown action, a bad --idle or a ServiceError (what to install or set).
 */
export async function servicesCommand(action: string, options: { idle?: string }): Promise<number> {
  if (!(ACTIONS as readonly string[]).includes(action))
    throw new UsageError(`unknown action "${action}": ${suggestion(action, ACTIONS)}`);
  if (options.idle !== undefined && action !== "up")
    throw new UsageError(`--idle goes with \`sandbox services up\`, not ${action}`);
  return run(action as Action, options);
}

async function run(action: Action, options: { idle?: string }): Promise<number> {
  if (action === "up") {
    const env = { ...process.env };
    if (options.idle !== undefined)
      env.SANDBOX_SERVICES_IDLE_MINUTES = String(parseNumber("--idle", options.idle, 1, 10_080));
    const state = await ensureWarmServices(env, (line) => console.log(line));
    print(state, "warm services up");
    return 0;
  }
  if (action === "down") {
    const state = await stopWarmServices();
    console.log(
      state
        ? `warm services stopped (${state.provider}, up ${minutes(Date.now() - Date.parse(state.startedAt))})`
        : "no warm services were running",
    );
    return 0;
  }
  const status = await warmServicesStatus();
  if (!status.state) {
    console.log(
      "no warm services: the next `npm test` starts them (`sandbox services up` starts them now)",
    );
    return 0;
  }
  if (status.stale) {
    console.log(`warm services recorded, but ${status.stale}: the next run replaces them`);
    return 0;
  }
  const idleLeft = status.state.idleMinutes * 60_000 - status.idleMs;
  print(
    status.state,
    status.runs > 0
      ? `warm services up, ${status.runs} run${status.runs === 1 ? "" : "s"} attached now`
      : `warm services up, idle ${minutes(status.idleMs)} (they stop in ${minutes(idleLeft)})`,
  );
  return 0;
}

function print(state: WarmState, headline: string): void {
  console.log(
    `${headline}: ${state.description}, up ${minutes(Date.now() - Date.parse(state.startedAt))}, keeper pid ${state.keeperPid}`,
  );
  for (const line of describeWarm(state)) console.log(`  ${line}`);
}

function minutes(ms: number): string {
  const m = Math.max(0, ms) / 60_000;
  return m < 1 ? `${Math.round(m * 60)} s` : `${m.toFixed(m < 10 ? 1 : 0)} min`;
}
