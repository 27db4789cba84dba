import type { AddressInfo, Server } from "node:net";

// Linux hands out ports from 32768 to 60999 (ip_local_port_range) for listen(0) and for outgoing
// connections, in every network namespace: a sealed learner's process has a loopback of its own
// whose ports come from that range too. A port of the test process that the learner's process
// must reach is made there under the same number, so it is taken from below that range, where
// the learner's process never picks a port itself.
const LOW = 20_000;
const HIGH = 32_767;

/** Listens on 127.0.0.1 at a free port below the ephemeral range (else any free port); the port. */
export async function listenOnLoopback(server: Server): Promise<number> {
  for (let tries = 0; tries < 50; tries += 1) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW + 1));
    if (await listenAt(server, port)) return port;
  }
  await listenAt(server, 0);
  return (server.address() as AddressInfo).port;
}

function listenAt(server: Server, port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      if (error.code === "EADDRINUSE") resolve(false);
      else reject(error);
    };
    server.once("error", onError);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", onError);
      resolve(true);
    });
  });
}
