import net from "node:net";
import { onCleanup } from "./cleanup";

/**
 * A TCP proxy between the code under test and one service (Redis or Postgres), in the test
 * process, where the code under test cannot reach it: it injects faults on the network (pause,
 * delay, dropped and refused connections) and counts what the client sends (Redis commands,
 * Postgres queries). Give the code under test `proxy.url` instead of the service's URL.
 */
export interface FaultProxy {
  /** The service's URL with this proxy's host and port (credentials, database and options kept). */
  readonly url: string;
  readonly port: number;
  /** Holds every byte both ways, on open and new connections, until `resume()`: a hung network. */
  pause(): void;
  resume(): void;
  /**
   * Delays every chunk both ways by `ms` from when it arrives (0 ends the delay): a link with
   * `ms` of latency each way. Order is kept; chunks in flight together are not queued behind
   * each other's delay.
   */
  delay(ms: number): void;
  /** Resets every open connection (the client sees ECONNRESET or "Connection terminated"). */
  dropConnections(): void;
  /** Closes each new connection at once, until `acceptConnections()`; open ones stay. */
  refuseConnections(): void;
  acceptConnections(): void;
  /** Redis commands sent through the proxy so far (RESP arrays and inline commands). */
  commands(): number;
  /** Postgres queries sent so far: simple-protocol Query and extended-protocol Execute messages. */
  queries(): number;
  /**
   * Times a client sent after its connection had carried nothing, either way, for at least
   * `minMs` ms: a client that pauses between polls has one such send a poll, a busy loop (its next
   * command sent as soon as the reply is in) next to none, however slow the machine.
   */
  sendsAfterIdle(minMs: number): number;
  /** Connections accepted so far. */
  connections(): number;
  /** Stops listening and resets every connection; safe to call twice. */
  close(): Promise<void>;
}

/**
 * Starts a fault proxy to the service at `serviceUrl` (`redis://` or `postgres://`, loopback),
 * on a free loopback port; it is closed after the file's last test.
 */
export async function startFaultProxy(serviceUrl: string): Promise<FaultProxy> {
  const target = new URL(serviceUrl);
  const protocol = target.protocol.startsWith("redis") ? "redis" : "postgres";
  const targetPort = Number(target.port || (protocol === "redis" ? 6379 : 5432));
  const open = new Set<net.Socket>();
  const paused = new Set<net.Socket>();
  let holding = false;
  let refusing = false;
  let delayMs = 0;
  let accepted = 0;
  let sent = 0;
  // How long each connection had been idle before each chunk its client sent (ms).
  const idleBeforeSends: number[] = [];

  const hold = (socket: net.Socket) => {
    if (holding) {
      socket.pause();
      paused.add(socket);
    }
  };
  const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true }, (client) => {
    if (refusing) {
      client.destroy();
      return;
    }
    accepted += 1;
    const upstream = net.connect({ host: target.hostname, port: targetPort, allowHalfOpen: true });
    const count = protocol === "redis" ? redisCommandCounter() : postgresQueryCounter();
    // When the connection last carried bytes: to the client, when the proxy delivers them.
    let lastTraffic = performance.now();
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on("error", () => {
        client.destroy();
        upstream.destroy();
      });
      socket.on("close", () => {
        open.delete(socket);
        paused.delete(socket);
        (socket === client ? upstream : client).destroy();
      });
    }
    forward(
      client,
      upstream,
      (chunk) => {
        const now = performance.now();
        idleBeforeSends.push(now - lastTraffic);
        lastTraffic = Math.max(lastTraffic, now);
        sent += count(chunk);
      },
      () => delayMs,
    );
    forward(
      upstream,
      client,
      () => (lastTraffic = Math.max(lastTraffic, performance.now() + delayMs)),
      () => delayMs,
    );
    hold(client);
    hold(upstream);
    if (!holding) client.resume();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;
  const url = new URL(serviceUrl);
  url.hostname = "127.0.0.1";
  url.port = String(port);

  const dropConnections = () => {
    for (const socket of open) socket.resetAndDestroy();
  };
  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      dropConnections();
    }));
  onCleanup(close);

  return {
    url: url.toString(),
    port,
    pause() {
      holding = true;
      for (const socket of open) hold(socket);
    },
    resume() {
      holding = false;
      for (const socket of paused) socket.resume();
      paused.clear();
    },
    delay(ms) {
      delayMs = ms;
    },
    dropConnections,
    refuseConnections() {
      refusing = true;
    },
    acceptConnections() {
      refusing = false;
    },
    commands: () => (protocol === "redis" ? sent : 0),
    queries: () => (protocol === "postgres" ? sent : 0),
    sendsAfterIdle: (minMs) => idleBeforeSends.filter((idle) => idle >= minMs).length,
    connections: () => accepted,
    close,
  };
}

/**
 * Copies `from` to `to` chunk by chunk, ending `to` when `from` ends. Each chunk is written
 * `delay()` ms after it arrived (a link's latency, not its bandwidth: chunks in flight together
 * are not held one after another), and never before the chunk ahead of it, so order is kept.
 */
function forward(
  from: net.Socket,
  to: net.Socket,
  observe: (chunk: Buffer) => void,
  delay: () => number,
): void {
  let queue = Promise.resolve();
  const send = (write: () => void) => {
    const due = performance.now() + delay();
    queue = queue.then(() => {
      const wait = due - performance.now();
      if (wait <= 0) return write();
      return new Promise<void>((resolve) => setTimeout(() => (write(), resolve()), wait));
    });
  };
  from.on("data", (chunk: Buffer) => {
    observe(chunk);
    send(() => {
      if (!to.destroyed) to.write(chunk);
    });
  });
  from.on("end", () => send(() => to.end()));
}

/** Counts RESP commands in a client's byte stream: one per top-level array, or per inline line. */
export function redisCommandCounter(): (chunk: Buffer) => number {
  let buffered = Buffer.alloc(0);
  return (chunk) => {
    buffered = Buffer.concat([buffered, chunk]);
    let count = 0;
    for (;;) {
      const end = commandEnd(buffered);
      if (end < 0) return count;
      buffered = buffered.subarray(end);
      count += 1;
    }
  };
}

/** Where the first complete RESP command in `data` ends, or -1 when it is incomplete. */
function commandEnd(data: Buffer): number {
  const line = data.indexOf("\r\n");
  if (line < 0) return -1;
  if (data[0] !== 0x2a /* '*' */) return line + 2; // an inline command
  const items = Number(data.subarray(1, line).toString());
  let at = line + 2;
  for (let i = 0; i < items; i++) {
    const header = data.indexOf("\r\n", at);
    if (header < 0) return -1;
    const length = Number(data.subarray(at + 1, header).toString());
    at = header + 2 + Math.max(length, 0) + (length >= 0 ? 2 : 0);
    if (at > data.length) return -1;
  }
  return at;
}

/**
 * Counts queries in a Postgres client's byte stream (protocol 3.0): each Query ('Q') and each
 * Execute ('E') message. The untyped start-up and SSL/GSS request messages are skipped.
 */
export function postgresQueryCounter(): (chunk: Buffer) => number {
  let buffered = Buffer.alloc(0);
  let startedUp = false;
  return (chunk) => {
    buffered = Buffer.concat([buffered, chunk]);
    let count = 0;
    for (;;) {
      if (!startedUp) {
        if (buffered.length < 8) return count;
        const length = buffered.readInt32BE(0);
        if (buffered.length < length) return count;
        const code = buffered.readInt32BE(4);
        // 80877103 SSLRequest, 80877104 GSSENCRequest: a start-up message follows them.
        if (code !== 80877103 && code !== 80877104) startedUp = true;
        buffered = buffered.subarray(length);
        continue;
      }
      if (buffered.length < 5) return count;
      const length = buffered.readInt32BE(1);
      if (buffered.length < 1 + length) return count;
      const type = String.fromCharCode(buffered[0]!);
      if (type === "Q" || type === "E") count += 1;
      buffered = buffered.subarray(1 + length);
    }
  };
}
