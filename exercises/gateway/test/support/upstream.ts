// A tiny upstream service the tests start on loopback and control: it records every request it
// receives and answers as told (echo, a status, slowly, by hanging up), or goes down entirely.
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { onCleanup } from "@backend-sandbox/testkit";
import { listenOnLoopback } from "./loopback-port";

export interface Received {
  method: string;
  /** The request target as received: path and query. */
  url: string;
  headers: IncomingHttpHeaders;
  /** Header names exactly as sent on the wire (lowercased), for absence checks. */
  headerNames: string[];
  /** The bytes received so far. */
  readonly body: Buffer;
  /** The whole body arrived. */
  complete: boolean;
  /** The gateway closed the connection before the upstream answered. */
  aborted: boolean;
}

/** What the upstream does with a request once its body has arrived. */
export type Behaviour = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;

export const echo =
  (name: string): Behaviour =>
  (req, res, body) => {
    res.writeHead(200, { "content-type": "application/json", "x-upstream": name });
    res.end(
      JSON.stringify({ upstream: name, method: req.method, url: req.url, bytes: body.length }),
    );
  };
export const status =
  (code: number, name = "up"): Behaviour =>
  (_req, res) => {
    res
      .writeHead(code, { "content-type": "application/json", "x-upstream": name })
      .end(JSON.stringify({ code }));
  };
export const slow =
  (ms: number, then: Behaviour): Behaviour =>
  (req, res, body) => {
    const timer = setTimeout(() => then(req, res, body), ms);
    res.on("close", () => clearTimeout(timer));
  };
export const hangUp: Behaviour = (req) => req.socket.destroy();

export interface Upstream {
  readonly name: string;
  readonly url: string;
  readonly received: Received[];
  /** How the next requests are answered; default echo(name). */
  behaviour: Behaviour;
  /** Answers the health path with 200 when true, 503 when false. */
  healthy: boolean;
  /** When set, the health path's status whatever `healthy` says. */
  healthStatus?: number;
  /** Delays the health answer by this many ms (default 0). */
  healthDelayMs: number;
  /** Health probes seen (they are not in `received`). */
  probes: number;
  /** TCP connections accepted so far (requests and health probes alike). */
  connections: number;
  /** Answers the next `count` requests with `code`, then goes back to `behaviour`. */
  failNext(count: number, code?: number): void;
  /** Closes the port: connections are refused until start(). */
  stop(): Promise<void>;
  start(): Promise<void>;
}

export async function startUpstream(name: string, healthPath = "/healthz"): Promise<Upstream> {
  let failures = 0;
  let failCode = 503;
  let server: Server | undefined;
  let port = 0;
  const upstream: Upstream = {
    name,
    url: "",
    received: [],
    behaviour: echo(name),
    healthy: true,
    healthDelayMs: 0,
    probes: 0,
    connections: 0,
    failNext(count, code = 503) {
      failures = count;
      failCode = code;
    },
    async stop() {
      const closing = server;
      server = undefined;
      if (closing)
        await new Promise<void>((resolve) => {
          closing.close(() => resolve());
          closing.closeAllConnections();
        });
    },
    async start() {
      if (server) return;
      server = createServer((req, res) => {
        if (req.url === healthPath) {
          upstream.probes += 1;
          const code = upstream.healthStatus ?? (upstream.healthy ? 200 : 503);
          slow(upstream.healthDelayMs, (_q, r) => r.writeHead(code).end())(
            req,
            res,
            Buffer.alloc(0),
          );
          return;
        }
        const rawNames = req.rawHeaders.filter((_, i) => i % 2 === 0).map((h) => h.toLowerCase());
        const chunks: Buffer[] = [];
        const seen: Received = {
          method: req.method!,
          url: req.url!,
          headers: req.headers,
          headerNames: rawNames,
          complete: false,
          aborted: false,
          get body() {
            return Buffer.concat(chunks);
          },
        };
        upstream.received.push(seen);
        req.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("close", () => {
          if (!res.writableFinished) seen.aborted = true;
        });
        req.on("end", () => {
          seen.complete = true;
          if (failures > 0) {
            failures -= 1;
            status(failCode, name)(req, res, seen.body);
            return;
          }
          upstream.behaviour(req, res, seen.body);
        });
      });
      server.on("connection", () => {
        upstream.connections += 1;
      });
      if (port === 0) port = await listenOnLoopback(server);
      else
        await new Promise<void>((resolve, reject) => {
          server!.once("error", reject);
          server!.listen(port, "127.0.0.1", () => resolve());
        });
      (upstream as { url: string }).url = `http://127.0.0.1:${port}`;
    },
  };
  await upstream.start();
  onCleanup(() => upstream.stop());
  return upstream;
}
