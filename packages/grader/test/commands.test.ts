import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { whyNodeIsTooOld } from "@backend-sandbox/testkit/node-version";
import { sharedServicesIn } from "@backend-sandbox/testkit/runner";
import { FIXTURES, sandbox, scratchDir } from "./run-sandbox";

/** Warm services of this run's provider: Docker when the run has it, else native (never external). */
const warmProvider = sharedServicesIn()?.provider === "docker" ? "docker" : "native";

describe("bad input is exit 2 with one line and the closest names", () => {
  it("names the closest exercise for an unknown slug", async () => {
    const run = await sandbox(["grade", "partail"]);
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe('sandbox: unknown exercise "partail": did you mean partial?');
  });

  it("names the closest option and command", async () => {
    const option = await sandbox(["grade", "--jsn", "x.json"]);
    expect(option.code).toBe(2);
    expect(option.stderr.trim().split("\n")).toHaveLength(1);
    expect(option.stderr).toMatch(/unknown option '--jsn'.*--json/);
    const command = await sandbox(["grad"]);
    expect(command.code).toBe(2);
    expect(command.stderr).toMatch(/unknown command 'grad'.*grade/);
  });

  it("names the stages for an unknown stage", async () => {
    const run = await sandbox(["hint", "partial", "negativs"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/unknown stage "negativs" of partial: did you mean negatives\?/);
  });

  it("rejects malformed option values", async () => {
    expect((await sandbox(["grade", "passing", "--shard", "3/2"])).stderr).toMatch(
      /--shard wants I\/N/,
    );
    expect((await sandbox(["grade", "passing", "--min-score", "lots"])).code).toBe(2);
    expect((await sandbox(["grade", "passing", "--submission", "/nonexistent"])).code).toBe(2);
  });

  it("names the file and the field of a malformed exercise.json", async () => {
    const dir = scratchDir("malformed");
    cpSync(path.join(FIXTURES, "passing"), path.join(dir, "passing"), { recursive: true });
    const file = path.join(dir, "passing/.meta/exercise.json");
    const manifest = JSON.parse(readFileSync(file, "utf8"));
    manifest.stages[0].points = "ten";
    writeFileSync(file, JSON.stringify(manifest));
    const run = await sandbox(["grade", "passing"], { SANDBOX_EXERCISES_DIR: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${file}: field "stages.0.points"`);
  });

  it("names the actions of sandbox services, and checks --idle", async () => {
    const action = await sandbox(["services", "stat"]);
    expect(action.code).toBe(2);
    expect(action.stderr.trim()).toBe('sandbox: unknown action "stat": did you mean status?');
    const idle = await sandbox(["services", "up", "--idle", "soon"]);
    expect(idle.code).toBe(2);
    expect(idle.stderr.trim()).toBe('sandbox: --idle wants a number from 1 to 10080; got "soon"');
    expect((await sandbox(["services", "down", "--idle", "5"])).code).toBe(2);
  });

  it.each([
    "list",
    "test",
    "grade",
    "verify",
    "hint",
    "reset",
    "new",
    "doctor",
    "merge",
    "services",
  ])("has --help for %s", async (command) => {
    const run = await sandbox([command, "--help"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`Usage: sandbox ${command}`));
  });
});

describe("sandbox grade --jobs", () => {
  it("grades side by side and reports in the order asked, as one at a time does", async () => {
    const out = scratchDir("jobs");
    const grade = (jobs: string) =>
      sandbox(
        ["grade", "partial", "passing", "--jobs", jobs, "--json", path.join(out, `${jobs}.json`)],
        {
          SANDBOX_STATE_DIR: scratchDir("jobs-state"),
        },
      );
    const [one, two] = await Promise.all([grade("1"), grade("2")]);
    expect([one.code, two.code]).toEqual([0, 0]);
    const summary = (jobs: string) =>
      JSON.parse(readFileSync(path.join(out, `${jobs}.json`), "utf8")).exercises.map(
        (e: { slug: string; score: number; status: string }) => [e.slug, e.score, e.status],
      );
    expect(summary("2")).toEqual(summary("1"));
    expect(summary("2").map(([slug]: [string]) => slug)).toEqual(["partial", "passing"]);
    expect((await sandbox(["grade", "passing", "--jobs", "many"])).code).toBe(2);
  });
});

describe("sandbox test", () => {
  it("runs the visible tests only, with Jest's own output", async () => {
    const run = await sandbox(["test", "partial"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/Tests:\s+1 failed, 1 passed, 2 total/);
    const solution = await sandbox(["test", "partial", "--solution"]);
    expect(solution.code).toBe(0);
  });
});

describe("sandbox hint", () => {
  it("gives the next hint of the first stage not yet passed on each call, and remembers", async () => {
    const state = scratchDir("hint");
    writeFileSync(
      path.join(state, "last-grade.json"),
      JSON.stringify({
        partial: {
          stages: { basics: { score: 10, points: 10 }, negatives: { score: 0, points: 20 } },
        },
      }),
    );
    const first = await sandbox(["hint", "partial"], { SANDBOX_STATE_DIR: state });
    expect(first.stdout).toMatch(
      /Hint 1 of 1 for partial › negatives \(the last one\):\s+Negative numbers are numbers too\./,
    );
    const a = await sandbox(["hint", "partial", "basics"], { SANDBOX_STATE_DIR: state });
    const b = await sandbox(["hint", "partial", "basics"], { SANDBOX_STATE_DIR: state });
    expect(a.stdout).toMatch(/Hint 1 of 3 .*\n\n\s+Read the visible test\./);
    expect(b.stdout).toMatch(/Hint 2 of 3 .*\n\n\s+Use the \+ operator\./);
    expect(JSON.parse(readFileSync(path.join(state, "hints.json"), "utf8"))).toEqual({
      partial: { negatives: 1, basics: 2 },
    });
    // --all shows the revealed ones again and reveals nothing new.
    const again = await sandbox(["hint", "partial", "basics", "--all"], {
      SANDBOX_STATE_DIR: state,
    });
    expect(again.stdout).toMatch(
      /Hint 1 of 3 .*\n\n\s+Read the visible test\.\s+Hint 2 of 3 .*\n\n\s+Use the \+ operator\.\s*$/,
    );
    const none = await sandbox(["hint", "passing", "--all"], { SANDBOX_STATE_DIR: state });
    expect(none.stdout).toMatch(
      /^No hint of passing › \S+ revealed yet; `sandbox hint passing \S+` shows the first\./,
    );
    expect(JSON.parse(readFileSync(path.join(state, "hints.json"), "utf8"))).toEqual({
      partial: { negatives: 1, basics: 2 },
    });
  });
});

describe("sandbox reset", () => {
  it("restores src/ from git HEAD and backs the learner's files up first", async () => {
    const repo = scratchDir("reset");
    const state = scratchDir("reset-state");
    cpSync(path.join(FIXTURES, "passing"), path.join(repo, "exercises/passing"), {
      recursive: true,
    });
    const git = (...args: string[]) => execFileSync("git", args, { cwd: repo, stdio: "pipe" });
    git("init", "-q");
    git("add", ".");
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "stub");
    const stub = path.join(repo, "exercises/passing/src/math.ts");
    const original = readFileSync(stub, "utf8");
    writeFileSync(stub, "// my work\n");
    writeFileSync(path.join(repo, "exercises/passing/src/extra.ts"), "// more work\n");

    const run = await sandbox(["reset", "passing"], {
      SANDBOX_EXERCISES_DIR: path.join(repo, "exercises"),
      SANDBOX_STATE_DIR: state,
    });
    expect(run.code).toBe(0);
    expect(readFileSync(stub, "utf8")).toBe(original);
    expect(existsSync(path.join(repo, "exercises/passing/src/extra.ts"))).toBe(false);
    const [backup] = readdirSync(path.join(state, "backups"));
    expect(backup).toMatch(/^passing-\d{4}-/);
    expect(readFileSync(path.join(state, "backups", backup!, "math.ts"), "utf8")).toBe(
      "// my work\n",
    );
  });

  it("says clearly when the exercises are not in a git checkout", async () => {
    const dir = scratchDir("no-git");
    cpSync(path.join(FIXTURES, "passing"), path.join(dir, "passing"), { recursive: true });
    const run = await sandbox(["reset", "passing"], {
      SANDBOX_EXERCISES_DIR: dir,
      GIT_CEILING_DIRECTORIES: path.dirname(dir),
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/not in a git checkout/);
  });
});

describe("sandbox services", () => {
  it("starts the warm services, reports them, and stops them", async () => {
    const env = {
      SANDBOX_WARM_DIR: scratchDir("warm"),
      SANDBOX_SERVICES: warmProvider,
    };
    try {
      expect((await sandbox(["services", "status"], env)).stdout).toMatch(/^no warm services:/);
      const up = await sandbox(["services", "up", "--idle", "5"], env);
      expect(up.code).toBe(0);
      expect(up.stdout).toMatch(/started warm Redis and Postgres .* until 5 min without one/);
      const status = await sandbox(["services", "status"], env);
      expect(status.stdout).toMatch(/^warm services up, idle \d+ s \(they stop in [\d.]+ min\)/);
      expect(status.stdout).toMatch(/^ {2}redis {5}redis:\/\/127\.0\.0\.1:\d+$/m);
      const down = await sandbox(["services", "down"], env);
      expect(down.stdout).toMatch(/^warm services stopped/);
      expect((await sandbox(["services", "down"], env)).stdout).toMatch(/^no warm services/);
    } finally {
      await sandbox(["services", "down"], env);
    }
  });

  it("a learner's grade attaches to them and leaves them up; CI's does not", async () => {
    const env = {
      SANDBOX_WARM_DIR: scratchDir("warm"),
      SANDBOX_SERVICES: warmProvider,
      SANDBOX_STATE_DIR: scratchDir("state"),
      // Not given this run's services: the grade must find its own.
      SANDBOX_PROVIDER: "",
      SANDBOX_REDIS_URL: "",
      SANDBOX_DATABASE_URL: "",
    };
    try {
      const inCi = await sandbox(["grade", "with-redis"], env);
      expect(inCi.code).toBe(0);
      expect((await sandbox(["services", "status"], env)).stdout).toMatch(/^no warm services/);
      const learners = await sandbox(["grade", "with-redis"], { ...env, CI: "" });
      expect(learners.code).toBe(0);
      expect(learners.stderr).toMatch(/started warm Redis and Postgres/);
      expect((await sandbox(["services", "status"], env)).stdout).toMatch(/^warm services up/);
    } finally {
      await sandbox(["services", "down"], env);
    }
  });
});

describe("sandbox doctor", () => {
  it("checks Node, names the provider and why, and tries Redis and Postgres", async () => {
    const run = await sandbox(["doctor"]);
    expect(run.stdout).toMatch(/^✓ Node \d+\.\d+\.\d+ \(needs >= 22\.22\)/);
    expect(run.stdout).toMatch(/^[✓✗] services: /m);
    const problems = (run.stdout.match(/^✗/gm) ?? []).length;
    if (problems === 0) {
      expect(run.stdout).toMatch(/✓ Redis and Postgres started and answered in \d+ ms/);
      expect(run.code).toBe(0);
    } else {
      expect(run.stdout).toMatch(/problems? found; fix them as described above/);
      expect(run.code).toBe(1);
    }
  });
});

describe("too old a Node", () => {
  it("is named in one line with the version found and the one needed", () => {
    expect(whyNodeIsTooOld("20.19.2")).toBe(
      "Node 20.19.2 is too old: backend-sandbox needs Node >= 22.22 (24 recommended, as in .nvmrc)",
    );
    expect(whyNodeIsTooOld("22.21.9")).toMatch(/^Node 22\.21\.9 is too old/);
    expect(whyNodeIsTooOld("22.22.0")).toBeUndefined();
    expect(whyNodeIsTooOld("24.0.0")).toBeUndefined();
  });

  // Debian's Node 20 (/usr/bin/node), where it is installed: the CLI and the Jest preset stop with
  // that line and exit 2 before anything fails less clearly.
  const oldNode = ["/usr/bin/node", "/usr/local/bin/node"].find(
    (file) =>
      existsSync(file) &&
      whyNodeIsTooOld(
        execFileSync(file, ["-p", "process.versions.node"], { encoding: "utf8" }).trim(),
      ),
  );
  (oldNode ? it : it.skip)("stops `sandbox` and `jest` with that line and exit 2", () => {
    const repository = path.join(__dirname, "../../..");
    for (const args of [
      [path.join(__dirname, "../bin/sandbox.js"), "list"],
      [path.join(repository, "node_modules/jest/bin/jest.js"), "--listTests"],
    ]) {
      const run = spawnSync(oldNode!, args, {
        cwd: path.join(repository, "exercises/caching"),
        encoding: "utf8",
      });
      expect(run.status).toBe(2);
      expect(run.stderr.trim().split("\n")).toEqual([
        expect.stringMatching(/^Node \d+\.\d+\.\d+ is too old: .* Install it with `nvm install`/),
      ]);
    }
  });
});

describe("sandbox verify --changed", () => {
  it("verifies only the exercises changed since a git ref, every one when packages/ changed", async () => {
    const repo = scratchDir("changed");
    const exercises = path.join(repo, "exercises");
    for (const slug of ["partial", "passing"])
      cpSync(path.join(FIXTURES, slug), path.join(exercises, slug), { recursive: true });
    writeFileSync(path.join(repo, "package.json"), "{}\n");
    const git = (...args: string[]) =>
      execFileSync("git", ["-C", repo, "-c", "user.name=t", "-c", "user.email=t@t", ...args]);
    git("init", "-q", "-b", "main");
    git("add", ".");
    git("commit", "-q", "-m", "exercises");
    git("checkout", "-q", "-b", "work");
    writeFileSync(path.join(exercises, "partial/src/extra.ts"), "export const extra = 1;\n");
    const verify = () =>
      sandbox(["verify", "--changed", "--static"], { SANDBOX_EXERCISES_DIR: exercises });

    const one = await verify();
    expect(one.stdout).toMatch(/^verify --changed since main \([0-9a-f]{7}\): partial$/m);
    expect(one.stdout).toMatch(/^partial$/m);
    expect(one.stdout).not.toMatch(/^passing$/m);

    mkdirSync(path.join(repo, "packages"));
    writeFileSync(path.join(repo, "packages/shared.ts"), "export {};\n");
    const all = await verify();
    expect(all.stdout).toMatch(/every exercise, since packages\/shared\.ts changed/);
    expect(all.stdout).toMatch(/^passing$/m);
  });
});
