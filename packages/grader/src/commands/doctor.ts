import {
  NODE_INSTALL_HINT,
  wantedNode,
  whyNodeIsTooOld,
} from "@backend-sandbox/testkit/node-version";
import {
  chooseProvider,
  redact,
  SERVICE_IMAGES,
  SHARED_SERVICES_ENV,
  startSharedServices,
  warmServicesStatus,
  whySealingIsImpossible,
  type ProviderChoice,
} from "@backend-sandbox/testkit/runner";

interface Check {
  ok: boolean;
  what: string;
  fix?: string;
  /** Not needed to learn here (only to grade submissions sealed): shown with "!", not counted. */
  optional?: boolean;
}

/**
 * `sandbox doctor`: Node's version, which service provider `auto` would pick and why, and whether
 * Redis and Postgres really start; every problem comes with what to do about it.
 */
export async function doctorCommand(): Promise<number> {
  const checks: Check[] = [nodeCheck()];
  print(checks[0]!);
  let choice: ProviderChoice | undefined;
  try {
    choice = await chooseProvider();
    checks.push({ ok: true, what: `services: ${choice.provider.name}, because ${choice.reason}` });
  } catch (error) {
    checks.push({
      ok: false,
      what: "services: no provider available",
      fix: (error as Error).message,
    });
  }
  print(checks[checks.length - 1]!);
  if (choice) {
    // The same start as `npm test` and `sandbox grade` (the testkit's startSharedServices), with
    // no services handed down, so this really starts both.
    const env = { ...process.env };
    for (const name of SHARED_SERVICES_ENV) delete env[name];
    const started = Date.now();
    try {
      const run = await startSharedServices(env, choice);
      checks.push({
        ok: true,
        what: `Redis and Postgres started and answered in ${Date.now() - started} ms (${run.services.redisUrl}, ${redact(run.services.databaseUrl)})`,
      });
      await run.dispose().catch(() => {});
    } catch (error) {
      const message = (error as Error).message;
      checks.push({
        ok: false,
        what: `Redis and Postgres did not start with ${choice.provider.name}`,
        fix: `${message}\n${howToFix(choice.provider.name, message)}`,
      });
    }
    print(checks[checks.length - 1]!);
  }
  checks.push(await warmCheck());
  print(checks[checks.length - 1]!);
  checks.push(sealingCheck());
  print(checks[checks.length - 1]!);
  const failed = checks.filter((c) => !c.ok && !c.optional).length;
  process.stdout.write(
    failed === 0
      ? "\nAll good: `npm run grade` will work.\n"
      : `\n${failed} problem${failed === 1 ? "" : "s"} found; fix them as described above.\n`,
  );
  return failed === 0 ? 0 : 1;
}

/** The warm services of the learner's loop: informational, since any run replaces stale ones. */
async function warmCheck(): Promise<Check> {
  const status = await warmServicesStatus().catch((error: Error) => ({
    state: undefined,
    stale: error.message,
  }));
  if (!status.state)
    return { ok: true, what: "warm services: none now (the first `npm test` starts them)" };
  if (status.stale)
    return {
      ok: true,
      what: `warm services: recorded, but ${status.stale}; the next \`npm test\` replaces them`,
    };
  return {
    ok: true,
    what: `warm services: up (${status.state.description}, ${status.state.redisUrl}); \`npx sandbox services down\` stops them`,
  };
}

/** Whether `--sealed` (and so `--submission`) can run the code under test in a sandbox here. */
function sealingCheck(): Check {
  const why = whySealingIsImpossible();
  return why
    ? {
        ok: false,
        optional: true,
        what: "sealed grading (--submission, --sealed): not possible here; learning and `npm run grade` work without it",
        fix: why,
      }
    : {
        ok: true,
        what: "sealed grading: bubblewrap can run the code under test in a sandbox of its own",
      };
}

function nodeCheck(): Check {
  const why = whyNodeIsTooOld();
  const { major, minor } = wantedNode();
  return why
    ? { ok: false, what: why, fix: NODE_INSTALL_HINT }
    : { ok: true, what: `Node ${process.versions.node} (needs >= ${major}.${minor})` };
}

function print(check: Check): void {
  process.stdout.write(`${check.ok ? "✓" : check.optional ? "!" : "✗"} ${check.what}\n`);
  if (check.fix) process.stdout.write(`${check.fix.replace(/^/gm, "    ")}\n`);
}

/** Plain words for the commonest start failures. */
function howToFix(provider: string, message: string): string {
  if (provider === "docker" && /registry|pull|no such host|no such image|manifest/i.test(message)) {
    return [
      "The image could not be pulled: this machine reaches no container registry.",
      "Build the images from Debian packages and use them (docs/offline-images.md):",
      "  scripts/build-service-images.sh",
      `  export SANDBOX_REDIS_IMAGE=${SERVICE_IMAGES.offline.redis} SANDBOX_POSTGRES_IMAGE=${SERVICE_IMAGES.offline.postgres} TESTCONTAINERS_RYUK_DISABLED=true`,
      "or run the servers from this machine: SANDBOX_SERVICES=native.",
    ].join("\n");
  }
  return "See docs/services.md, or pick another provider with SANDBOX_SERVICES=docker|native|external.";
}
