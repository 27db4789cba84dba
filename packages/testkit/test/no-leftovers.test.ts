import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { because } from "../src";
import { SESSION_LABEL, sharedServicesIn } from "../src/runner";
import { fixtureEnv, fixtureJestArgs } from "./fixture-run";

/** The provider of this run's services (native in CI's `.ci/run`, Docker on GitHub's CI). */
const RUN_PROVIDER: string = sharedServicesIn()?.provider ?? "auto";

/** A fixture run's provider, its TMPDIR and its session label: what its leftovers are looked for by. */
interface FixtureRun {
  provider: string;
  tmp: string;
  session: string;
}

/**
 * Runs the fixture suite in its own process group, with its own TMPDIR and session label, its
 * services from `provider` (by default this run's).
 */
function runFixture(outcome: "pass" | "fail" | "hold", provider = RUN_PROVIDER) {
  const tmp = mkdtempSync(join(tmpdir(), "leak-check-"));
  chmodSync(tmp, 0o755); // servers run as nobody when we are root, and must reach their folders
  const session = `leak-check-${process.pid}-${Date.now()}`;
  const env = fixtureEnv({
    TMPDIR: tmp,
    SANDBOX_SESSION_ID: session,
    SANDBOX_SERVICES: provider,
    FIXTURE_OUTCOME: outcome,
  });
  const child = spawn(process.execPath, fixtureJestArgs("slow-suite"), {
    env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const ready = new Promise<void>((resolve) =>
    child.stdout.on("data", () => output.includes("SERVICES-READY") && resolve()),
  );
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { provider, child, tmp, session, ready, exited, output: () => output };
}

/** Everything the run left: server processes that point into its TMPDIR, files there, labelled containers. */
async function leftovers({ provider, tmp, session }: FixtureRun): Promise<string[]> {
  const found: string[] = [];
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
      if (cmd.includes(tmp) && !cmd.includes("jest")) found.push(`process ${pid}: ${cmd.trim()}`);
    } catch {
      // gone
    }
  }
  // Jest's transform cache and Testcontainers' lock file are kept on purpose between runs.
  const kept = (f: string) => f.startsWith("jest_") || f.startsWith("testcontainers-node");
  found.push(
    ...readdirSync(tmp)
      .filter((f) => !kept(f))
      .map((f) => `file ${join(tmp, f)}`),
  );
  if (provider === "docker")
    found.push(...(await labelledContainers(session)).map((id) => `container ${id}`));
  return found;
}

/** The ids of the Docker containers labelled with this session, from the engine's API. */
function labelledContainers(session: string): Promise<string[]> {
  const filters = encodeURIComponent(JSON.stringify({ label: [`${SESSION_LABEL}=${session}`] }));
  return new Promise((resolve, reject) => {
    const req = request(
      { socketPath: "/var/run/docker.sock", path: `/containers/json?all=1&filters=${filters}` },
      (res) => {
        let body = "";
        res.on("data", (d) => (body += d));
        res.on("end", () =>
          resolve((JSON.parse(body) as { Id: string }[]).map((c) => c.Id.slice(0, 12))),
        );
      },
    );
    req.on("error", reject);
    req.end();
  });
}

async function expectNothingLeft(run: FixtureRun, how: string) {
  const deadline = Date.now() + 20_000;
  let left = await leftovers(run);
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    left = await leftovers(run);
  }
  rmSync(run.tmp, { recursive: true, force: true });
  because(`expected nothing left behind after ${how}, found: ${left.join("; ")}`, () =>
    expect(left).toEqual([]),
  );
}

describe("nothing outlives a test run", () => {
  it.each(["pass", "fail"] as const)("after a run that ends in %s", async (outcome) => {
    const run = runFixture(outcome);
    const code = await run.exited;
    because(`expected the fixture run to ${outcome}; it exited ${code}:\n${run.output()}`, () =>
      expect(code === 0).toBe(outcome === "pass"),
    );
    await expectNothingLeft(run, `a run that ended in ${outcome}`);
  });

  // The signals leave the cleanup to the reaper, which removes processes and containers alike:
  // Docker's containers are checked whatever this run's provider is.
  const providers = [...new Set([RUN_PROVIDER, "docker"])];

  it.each(providers)("after Ctrl-C (SIGINT to the run's process group), %s", async (provider) => {
    const run = runFixture("hold", provider);
    await run.ready;
    process.kill(-run.child.pid!, "SIGINT");
    await run.exited;
    await expectNothingLeft(run, "Ctrl-C");
  });

  it.each(providers)("after a hard kill (SIGKILL, as a timeout does), %s", async (provider) => {
    const run = runFixture("hold", provider);
    await run.ready;
    process.kill(-run.child.pid!, "SIGKILL");
    await run.exited;
    await expectNothingLeft(run, "SIGKILL");
  });
});
