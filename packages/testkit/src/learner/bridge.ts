import { chmodSync, rmSync } from "node:fs";
import net from "node:net";

/**
 * TCP carried over Unix sockets between two network namespaces. A sealed learner's process has a
 * loopback of its own; a socket file in a folder both sides see crosses that line. Each side
 * pipes bytes both ways, and when one half closes, cleanly or by a reset, the other delivers what
 * it already carries and then ends (finishHalf): across the bridge a reset arrives as an end of
 * stream after the last bytes the peer sent, never as a loss of them.
 */
export function pipeSockets(a: net.Socket, b: net.Socket): void {
  a.pipe(b);
  b.pipe(a);
  const stop = () => {
    a.unpipe(b);
    a.resume();
  };
  stopWriting.set(b, stop);
  // A server that ends its side has answered and reads no more.
  b.on("end", stop);
  // An error ends its socket, which then closes: the close below finishes the other half.
  a.on("error", () => {});
  b.on("error", () => {});
  a.on("close", () => finishHalf(b));
  b.on("close", () => finishHalf(a));
}

/** How to stop carrying bytes to the server side of a piped pair (pipeSockets' `b`). */
const stopWriting = new WeakMap<net.Socket, () => void>();

/**
 * The server at the end of `socket` is closing, and reads no more: what its client still sends is
 * dropped here. A write that reached it after its close would fail, and a failed write destroys
 * the socket with the server's answer still unread in it: an HTTP server that answers 413 before
 * the body has come (and closes, as Node's does) would reach its client as a reset.
 */
export function stopWritingTo(socket: net.Socket): void {
  stopWriting.get(socket)?.();
}

/** How long a connection whose other half closed keeps draining before it is destroyed (ms). */
const LINGER_MS = 2000;

/**
 * The other half closed: send what is still queued, then FIN, and read and drop what the
 * peer still sends for a while. Destroying at once would drop the queued bytes, and closing a
 * socket with unread input makes the kernel send a reset: a server that answers 413 before reading
 * a large body would reach its client as ECONNRESET instead of its answer (a lingering close,
 * as HTTP servers do it: RFC 9112, section 9.6).
 */
function finishHalf(socket: net.Socket): void {
  if (socket.destroyed) return;
  socket.resume();
  socket.end();
  setTimeout(() => socket.destroy(), LINGER_MS).unref();
}

/** The open connections of each forwarding server, so that closing one ends them too. */
const connections = new WeakMap<net.Server, Set<net.Socket>>();

function tracked(server: net.Server): net.Server {
  const open = new Set<net.Socket>();
  connections.set(server, open);
  server.on("connection", (socket: net.Socket) => {
    open.add(socket);
    socket.on("close", () => open.delete(socket));
  });
  return server;
}

/** Stops a forwarding server and ends every connection it carries. */
export function closeForwarder(server: net.Server): void {
  server.close();
  for (const socket of connections.get(server) ?? []) socket.destroy();
}

/** Listens on a Unix socket at `socketPath` (anyone may connect) and forwards each connection to `connect()`. */
export async function forwardUnixSocket(
  socketPath: string,
  connect: () => net.Socket,
): Promise<net.Server> {
  rmSync(socketPath, { force: true });
  const server = tracked(
    net.createServer({ allowHalfOpen: true }, (incoming) => pipeSockets(incoming, connect())),
  );
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(socketPath, () => resolve());
  });
  chmodSync(socketPath, 0o777);
  return server;
}

/** Listens on 127.0.0.1:`port` (0 for any free port) and forwards each connection to the Unix socket `socketPath`. */
export async function forwardTcpPort(port: number, socketPath: string): Promise<net.Server> {
  const server = tracked(
    net.createServer({ allowHalfOpen: true }, (incoming) =>
      pipeSockets(incoming, net.connect({ path: socketPath, allowHalfOpen: true })),
    ),
  );
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  return server;
}
