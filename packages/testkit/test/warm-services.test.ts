import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Client } from "pg";
import { because } from "../src";
import { waitFor } from "../src/wait-for";
import { serverIdentity } from "../src/warm-services/server-identity";
import {
  attachWarmServices,
  ensureWarmServices,
  stopWarmServices,
  warmServicesStatus,
  warmServicesWanted,
  WarmServicesInUse,
} from "../src/warm-services/warm-services";
import { isAlive, readWarmState, takeLease } from "../src/warm-services/warm-state";
import { fixtureEnv, fixtureJestArgs, warmServicesProvider } from "./fixture-run";

const provider = warmServicesProvider();
const folders: string[] = [];

/** The environment of the learner's loop, with warm services kept in a folder of this test's own. */
function warmEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const dir = mkdtempSync(join(tmpdir(), "warm-test-"));
  folders.push(dir);
  // A keeper this file fails to stop still goes by itself within two minutes.
  return fixtureEnv({
    SANDBOX_WARM_SERVICES: "1",
    SANDBOX_WARM_DIR: dir,
    SANDBOX_SERVICES: provider,
    SANDBOX_SERVICES_IDLE_MINUTES: "2",
    ...extra,
  });
}

/** A Jest run of the warm-suite fixture: `npm test` as a learner runs it. */
function startRun(env: NodeJS.ProcessEnv, outcome: "pass" | "hold") {
  const child = spawn(process.execPath, fixtureJestArgs("warm-suite"), {
    env: { ...env, FIXTURE_OUTCOME: outcome },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const collect = (data: Buffer) => (output += data);
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);
  const ready = new Promise<void>((resolve) =>
    child.stdout.on("data", () => output.includes("SERVICES ") && resolve()),
  );
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  return { child, ready, exited, output: () => output };
}

async function passingRun(env: NodeJS.ProcessEnv) {
  const run = startRun(env, "pass");
  const code = await run.exited;
  because(`expected the run to pass; it exited ${code}:\n${run.output()}`, () =>
    expect(code).toBe(0),
  );
  return { output: run.output(), redisUrl: /SERVICES (\S+)/.exec(run.output())?.[1] };
}

const started = (output: string) => output.match(/started warm Redis and Postgres/g)?.length ?? 0;

afterAll(async () => {
  for (const dir of folders) {
    await stopWarmServices(fixtureEnv({ SANDBOX_WARM_DIR: dir })).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
});

describe("who uses warm services", () => {
  it.each([
    [{}, true],
    [{ CI: "true" }, false],
    [{ CI: "true", SANDBOX_WARM_SERVICES: "1" }, true],
    [{ SANDBOX_WARM_SERVICES: "0" }, false],
    [{ SANDBOX_SERVICES: "external" }, false],
    [{ SANDBOX_SERVICES: "native", CI: "false" }, true],
    [
      {
        SANDBOX_WARM_SERVICES: "1",
        SANDBOX_PROVIDER: "docker",
        SANDBOX_REDIS_URL: "redis://127.0.0.1:6379",
        SANDBOX_DATABASE_URL: "postgres://test@127.0.0.1:5432/test",
      },
      false,
    ],
  ])("the environment %j: %s", (env, wanted) => {
    expect(warmServicesWanted(env as NodeJS.ProcessEnv)).toBe(wanted);
  });
});

describe("warm services across Jest runs", () => {
  const env = warmEnv();

  it("the first run starts them and says so; the next attaches to the same servers", async () => {
    const first = await passingRun(env);
    const second = await passingRun(env);
    expect(started(first.output)).toBe(1);
    expect(started(second.output)).toBe(0);
    expect(second.redisUrl).toBe(first.redisUrl);
  });

  it("two runs starting at once start one set of services between them", async () => {
    await stopWarmServices(env);
    const [a, b] = await Promise.all([passingRun(env), passingRun(env)]);
    because(`expected one start in:\n${a.output}\n---\n${b.output}`, () =>
      expect(started(a.output) + started(b.output)).toBe(1),
    );
    expect(a.redisUrl).toBe(b.redisUrl);
  });

  it("Ctrl-C during a run leaves them running and usable", async () => {
    const before = readWarmState(env.SANDBOX_WARM_DIR!)!;
    const run = startRun(env, "hold");
    await run.ready;
    process.kill(-run.child.pid!, "SIGINT");
    await run.exited;
    const status = await warmServicesStatus(env);
    expect(status.stale).toBeUndefined();
    expect(status.state?.keeperPid).toBe(before.keeperPid);
    expect((await passingRun(env)).redisUrl).toBe(before.redisUrl);
  });
});

describe("a state folder that cannot be written", () => {
  it("leaves the run to start services of its own, and says so in one line", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "warm-test-")), "a-file");
    writeFileSync(file, "");
    folders.push(dirname(file));
    const run = await passingRun(warmEnv({ SANDBOX_WARM_DIR: join(file, "warm") }));
    expect(run.output).toMatch(
      /^warm services unavailable \(ENOTDIR: .*\); this run starts its own$/m,
    );
    expect(started(run.output)).toBe(0);
  });
});

describe("warm services that no longer serve are replaced, in one line", () => {
  const env = warmEnv();

  it("a server that is another one now (restarted, or its port taken)", async () => {
    const old = await ensureWarmServices(env, () => {});
    const stateFile = join(env.SANDBOX_WARM_DIR!, "state.json");
    const state = JSON.parse(readFileSync(stateFile, "utf8"));
    state.identity.redis = "0".repeat(40);
    writeFileSync(stateFile, JSON.stringify(state));
    const said: string[] = [];
    const run = await attachWarmServices(env, (line) => said.push(line));
    await run.dispose();
    expect(said[0]).toMatch(/^warm services replaced: Redis at \S+ is another server now/);
    expect(said).toHaveLength(2); // and the line that says new ones started
    await waitFor("the old keeper to end", async () => !isAlive(old.keeperPid), 20_000);
  });

  it("a keeper that was killed, without waiting for it", async () => {
    const old = readWarmState(env.SANDBOX_WARM_DIR!)!;
    process.kill(old.keeperPid, "SIGKILL");
    await waitFor("the keeper to die", async () => !isAlive(old.keeperPid), 5000);
    const said: string[] = [];
    const run = await attachWarmServices(env, (line) => said.push(line));
    await run.dispose();
    expect(said[0]).toBe(`warm services replaced: their keeper (pid ${old.keeperPid}) is gone`);
    expect(readWarmState(env.SANDBOX_WARM_DIR!)!.keeperPid).not.toBe(old.keeperPid);
  });

  it("services of another kind than a run asks for stay while other runs use them", async () => {
    const warm = await ensureWarmServices(env, () => {});
    const giveBack = takeLease(env.SANDBOX_WARM_DIR!, process.pid);
    try {
      const other = warm.provider === "docker" ? "native" : "docker";
      const asked = attachWarmServices({ ...env, SANDBOX_SERVICES: other }, () => {});
      await expect(asked).rejects.toThrow(WarmServicesInUse);
      await expect(asked).rejects.toThrow(
        `warm services left as they are: SANDBOX_SERVICES=${other}, and the warm ones are ${warm.provider}, in use by another run`,
      );
      expect(isAlive(warm.keeperPid)).toBe(true);
      expect(readWarmState(env.SANDBOX_WARM_DIR!)!.keeperPid).toBe(warm.keeperPid);
    } finally {
      giveBack();
    }
  });

  it("down stops them, and their servers with them", async () => {
    const state = await ensureWarmServices(env, () => {});
    const stopped = await stopWarmServices(env);
    expect(stopped?.keeperPid).toBe(state.keeperPid);
    expect(isAlive(state.keeperPid)).toBe(false);
    await expect(serverIdentity(state, 1000)).rejects.toThrow();
    expect(await stopWarmServices(env)).toBeUndefined();
  });
});

describe("the idle timeout", () => {
  // 0.03 min = 1.8 s; the keeper looks every second.
  const env = warmEnv({ SANDBOX_SERVICES_IDLE_MINUTES: "0.03" });

  it("stops them once no run has used them for that long, never while one is attached; cleans up after dead runs", async () => {
    const run = await attachWarmServices(env, () => {});
    const state = readWarmState(env.SANDBOX_WARM_DIR!)!;
    // A run stopped by Ctrl-C leaves its per-file database; the keeper drops it.
    const abandoned = `sandbox_${deadPid()}_feed`;
    await query(state.databaseUrl, `CREATE DATABASE ${abandoned}`);
    // and its scratch folder, named in the lease it never gave back.
    const scratch = mkdtempSync(join(tmpdir(), "warm-test-scratch-"));
    takeLease(env.SANDBOX_WARM_DIR!, deadPid(), [scratch]);
    await new Promise((resolve) => setTimeout(resolve, 4000));
    expect(readWarmState(env.SANDBOX_WARM_DIR!)?.keeperPid).toBe(state.keeperPid);
    const names = await query(state.databaseUrl, "SELECT datname FROM pg_database");
    expect(names.map((row) => row.datname)).not.toContain(abandoned);
    expect(existsSync(scratch)).toBe(false);
    await run.dispose();
    await waitFor("the keeper to stop", async () => !isAlive(state.keeperPid), 20_000);
    expect(readWarmState(env.SANDBOX_WARM_DIR!)).toBeUndefined();
    await expect(serverIdentity(state, 1000)).rejects.toThrow();
  });
});

function deadPid(): number {
  let pid = 4_000_000;
  while (isAlive(pid)) pid--;
  return pid;
}

async function query(url: string, sql: string): Promise<{ datname: string }[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<{ datname: string }>(sql)).rows;
  } finally {
    await client.end();
  }
}
