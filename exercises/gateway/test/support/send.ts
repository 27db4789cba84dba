// An HTTP client on node:http rather than fetch: fetch forbids hop-by-hop headers such as
// Connection, Keep-Alive and TE, which the header tests must send. One connection per request.
import { request, type IncomingHttpHeaders, type OutgoingHttpHeaders } from "node:http";
import { Readable } from "node:stream";
import { httpReply, type HttpReply } from "@backend-sandbox/testkit";

/** The testkit's reply, with the body's bytes as they arrived (for binary bodies). */
export interface RawReply extends HttpReply {
  raw: Buffer;
}

export interface SendOptions {
  method?: string;
  headers?: OutgoingHttpHeaders;
  /** A Buffer or string is sent with Content-Length; an iterable of chunks is sent chunked. */
  body?: Buffer | string | AsyncIterable<Buffer> | Iterable<Buffer>;
  /** Fails the request if no complete response arrives in time; default 5000 ms. */
  timeoutMs?: number;
}

/** Sends one request to `base` + `target` (target as written on the request line). */
export function send(base: string, target: string, options: SendOptions = {}): Promise<RawReply> {
  const { method = "GET", body, timeoutMs = 5000 } = options;
  const headers = { ...options.headers };
  // Node frames a DELETE or GET body only when told its length.
  if (
    (typeof body === "string" || Buffer.isBuffer(body)) &&
    headers["content-length"] === undefined
  ) {
    headers["content-length"] = Buffer.byteLength(body);
  }
  const started = performance.now();
  const { hostname, port } = new URL(base);
  return new Promise<RawReply>((resolve, reject) => {
    const req = request({ hostname, port, method, path: target, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("error", reject);
      res.on("end", () => {
        const raw = Buffer.concat(chunks);
        const text = raw.toString("utf8");
        resolve({ ...httpReply(res.statusCode!, headersOf(res.headers), text, started), raw });
      });
    });
    req.setTimeout(timeoutMs, () =>
      req.destroy(new Error(`no complete answer to ${method} ${target} within ${timeoutMs} ms`)),
    );
    req.on("error", reject);
    if (body === undefined) req.end();
    else if (typeof body === "string" || Buffer.isBuffer(body)) req.end(body);
    else Readable.from(body).pipe(req);
  });
}

/** Node's parsed response headers as a fetch Headers (each Set-Cookie kept apart). */
function headersOf(incoming: IncomingHttpHeaders): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming)) {
    for (const one of Array.isArray(value) ? value : [value ?? ""]) headers.append(name, one);
  }
  return headers;
}
