import { execFileSync } from "node:child_process";
import { mkdtempSync, statfsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../free-port";
import { Reaper } from "../reaper";
import { findNativeBinaries } from "./native/binaries";
import { NativeServer, ServerExitedAtStartUp, spawnServer } from "./native/native-server";
import { postgresTemplate } from "./native/postgres-template";
import { chownForServer } from "./native/unprivileged";
import {
  ServiceError,
  TEST_POSTGRES_SETTINGS,
  TEST_REDIS_ARGUMENTS,
  type Provider,
  type ServiceHandle,
  type ServiceKind,
} from "./provider";

export { findNativeBinaries } from "./native/binaries";

/** Runs `redis-server` and `postgres` from this machine on free loopback ports. */
export class NativeProvider implements Provider {
  readonly name = "native";

  startRedis(): Promise<ServiceHandle> {
    return onAFreePort(() => this.startRedisOnce());
  }

  startPostgres(): Promise<ServiceHandle> {
    return onAFreePort(() => this.startPostgresOnce());
  }

  private async startRedisOnce(): Promise<ServiceHandle> {
    const binary = findNativeBinaries().redisServer;
    if (!binary)
      throw new ServiceError(
        "redis-server not found: install it (apt-get install redis-server) or set SANDBOX_REDIS_SERVER",
      );
    const dir = makeServiceDir("redis");
    const port = await freePort();
    const args = [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
      "--protected-mode",
      "no",
      "--dir",
      dir,
      "--logfile",
      join(dir, "redis.log"),
      ...TEST_REDIS_ARGUMENTS,
    ];
    return NativeServer.start("redis", `redis://127.0.0.1:${port}`, dir, () =>
      spawnServer(binary, args, dir),
    );
  }

  private async startPostgresOnce(): Promise<ServiceHandle> {
    const bin = findNativeBinaries().postgresBin;
    if (!bin)
      throw new ServiceError(
        "Postgres server binaries not found: install postgresql or set SANDBOX_POSTGRES_BIN to the folder holding initdb and postgres",
      );
    const dir = makeServiceDir("postgres");
    const data = join(dir, "data");
    // cp -a keeps the 0700 mode Postgres insists on for its data folder.
    execFileSync("cp", ["-a", postgresTemplate(bin), data]);
    chownForServer(dir);
    const port = await freePort();
    const args = [
      "-D",
      data,
      "-p",
      String(port),
      "-k",
      dir,
      "-c",
      "listen_addresses=127.0.0.1",
      ...TEST_POSTGRES_SETTINGS,
    ];
    const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
    return NativeServer.start("postgres", url, dir, () =>
      spawnServer(join(bin, "postgres"), args, dir),
    );
  }
}

const START_ATTEMPTS = 3;

/**
 * Starts a server, again (with a new port and folder) when it exited during start-up, up to
 * three times: between freePort() closing its probe and the server binding the port, another
 * socket can take it (an outgoing connection takes its local port from the same range), and the
 * server then exits at once. Seen once in 80 gradings, four at a time. A server that exits for
 * another reason (bad settings, permissions) fails three times in well under a second.
 */
export async function onAFreePort(start: () => Promise<ServiceHandle>): Promise<ServiceHandle> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (error) {
      if (!(error instanceof ServerExitedAtStartUp) || attempt === START_ATTEMPTS) throw error;
    }
  }
}

function makeServiceDir(kind: ServiceKind): string {
  const dir = mkdtempSync(join(serviceDirRoot(), `backend-sandbox-${kind}-`));
  Reaper.forThisProcess().track({ dir });
  chownForServer(dir);
  return dir;
}

const TMPFS_MAGIC = 0x01021994;
const TMPFS_ROOM_NEEDED = 1024 ** 3;

/**
 * Where servers keep their files: TMPDIR when the user set it; else /dev/shm when it is a tmpfs
 * with 1 GiB free, since test data need not survive and on a disk each file Postgres creates
 * can cost 0.3 ms (a CREATE DATABASE, ~900 files, took 230 ms against 10 ms: docs/architecture.md);
 * else the system's temporary folder.
 */
function serviceDirRoot(): string {
  if (process.env.TMPDIR) return tmpdir();
  try {
    const shm = statfsSync("/dev/shm");
    if (shm.type === TMPFS_MAGIC && shm.bavail * shm.bsize >= TMPFS_ROOM_NEEDED) return "/dev/shm";
  } catch {
    // no /dev/shm (macOS): the temporary folder it is
  }
  return tmpdir();
}
