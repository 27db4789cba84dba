import { chmodSync, rmSync } from "node:fs";
import net from "node:net";

/**
 * TCP carried over Unix sockets between two network namespaces. A sealed learner's process has a
 * loopback of its own; a socket file in a folder both sides see crosses that line. Each side
 * pipes bytes both ways and ends or destroys the other half as its own half ends.
 */
export function pipeSockets(a: net.Socket, b: net.Socket): void {
  a.pipe(b);
  b.pipe(a);
  const destroyBoth = () => {
    a.destroy();
    b.destroy();
  };
  a.on("error", destroyBoth);
  b.on("error", destroyBoth);
  a.on("close", () => b.destroy());
  b.on("close", () => a.destroy());
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
