import net from "node:net";
import { onCleanup } from "@backend-sandbox/testkit";

/** What ioredis sends to set up a connection, before the app's first command. */
const SETUP = new Set(["HELLO", "AUTH", "SELECT", "CLIENT", "READONLY", "INFO"]);

export interface CrashingRedis {
  /** The Redis URL to give the app instance that is to crash (this proxy, same database). */
  readonly url: string;
  /** Resolves once Redis has run everything the instance sent before it crashed (at once if it did not). */
  settled(): Promise<void>;
}

/**
 * A TCP proxy to Redis for an app instance that dies between two of its Redis commands. It passes
 * each connection's setup and the app's first `commands` commands; when the next one comes, it
 * holds it back for good, calls `crash()` (the test kills the instance's process) and lets Redis
 * finish what it got. Redis then holds exactly what an instance that died there leaves behind.
 */
export async function crashingRedis(
  redisUrl: string,
  commands: number,
  crash: () => Promise<void>,
): Promise<CrashingRedis> {
  const target = new URL(redisUrl);
  const closed: Promise<void>[] = [];
  const upstreams = new Set<net.Socket>();
  let passed = 0;
  let crashed: Promise<void> | undefined;

  const server = net.createServer((client) => {
    const upstream = net.connect({ host: target.hostname, port: Number(target.port || 6379) });
    upstreams.add(upstream);
    closed.push(new Promise((resolve) => upstream.once("close", () => resolve())));
    upstream.on("data", (chunk) => client.destroyed || client.write(chunk));
    for (const socket of [client, upstream]) socket.on("error", () => socket.destroy());
    // Ended, not destroyed, so that Redis still runs what reached it.
    client.on("close", () => upstream.end());
    upstream.on("close", () => client.destroy());
    let setup = true;
    let buffered = Buffer.alloc(0);
    client.on("data", (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      for (let command = nextCommand(buffered); command; command = nextCommand(buffered)) {
        buffered = buffered.subarray(command.bytes.length);
        setup &&= SETUP.has(command.name);
        if (crashed) continue;
        if (setup || passed < commands) {
          if (!setup) passed += 1;
          upstream.write(command.bytes);
          continue;
        }
        crashed = crash().then(() => {
          for (const socket of upstreams) socket.end();
        });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  onCleanup(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of upstreams) socket.destroy();
        server.close(() => resolve());
      }),
  );
  const url = new URL(redisUrl);
  url.hostname = "127.0.0.1";
  url.port = String((server.address() as net.AddressInfo).port);
  return {
    url: url.toString(),
    async settled() {
      if (!crashed) return;
      await crashed;
      await Promise.all(closed);
    },
  };
}

/** The first complete RESP command in `data` (an array of bulk strings, or an inline line): its bytes and upper-case name. */
function nextCommand(data: Buffer): { bytes: Buffer; name: string } | undefined {
  const line = data.indexOf("\r\n");
  if (line < 0) return undefined;
  if (data[0] !== 0x2a /* '*' */) {
    const name = data.subarray(0, line).toString().trim().split(/\s+/)[0] ?? "";
    return { bytes: data.subarray(0, line + 2), name: name.toUpperCase() };
  }
  const items = Number(data.subarray(1, line).toString());
  let at = line + 2;
  let name = "";
  for (let i = 0; i < items; i++) {
    const header = data.indexOf("\r\n", at);
    if (header < 0) return undefined;
    const length = Number(data.subarray(at + 1, header).toString());
    const start = header + 2;
    at = start + length + 2;
    if (at > data.length) return undefined;
    if (i === 0)
      name = data
        .subarray(start, start + length)
        .toString()
        .toUpperCase();
  }
  return { bytes: data.subarray(0, at), name };
}
