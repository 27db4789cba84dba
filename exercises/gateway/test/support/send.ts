// An HTTP client on node:http rather than fetch: fetch forbids hop-by-hop headers such as
// Connection, Keep-Alive and TE, which the header tests must send. One connection per request.
import { request, type IncomingHttpHeaders, type OutgoingHttpHeaders } from "node:http";
import { Readable } from "node:stream";

export interface Sent {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The response body parsed as JSON (undefined if it is not JSON). */
  json: any;  
  ms: number;
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
export function send(base: string, target: string, options: SendOptions = {}): Promise<Sent> {
  const { method = "GET", body, timeoutMs = 5000 } = options;
  const headers = { ...options.headers };
  // Node frames a DELETE or GET body only when told its length.
  if ((typeof body === "string" || Buffer.isBuffer(body)) && headers["content-length"] === undefined) {
    headers["content-length"] = Buffer.byteLength(body);
  }
  const started = performance.now();
  const { hostname, port } = new URL(base);
  return new Promise<Sent>((resolve, reject) => {
    const req = request({ hostname, port, method, path: target, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("error", reject);
      res.on("end", () => {
        const buffer = Buffer.concat(chunks);
        let json: unknown;
        try { json = JSON.parse(buffer.toString("utf8")); } catch { json = undefined; }
        resolve({ status: res.statusCode!, headers: res.headers, body: buffer, json, ms: performance.now() - started });
      });
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no complete answer to ${method} ${target} within ${timeoutMs} ms`)));
    req.on("error", reject);
    if (body === undefined) req.end();
    else if (typeof body === "string" || Buffer.isBuffer(body)) req.end(body);
    else Readable.from(body).pipe(req);
  });
}

/** `n` pseudo-random bytes from a seed, cheap to make in megabytes. */
export function bytes(n: number, seed: number): Buffer {
  const words = new Uint32Array(Math.ceil(n / 4));
  let state = seed >>> 0 || 1;
  for (let i = 0; i < words.length; i += 1) {
    state ^= state << 13; state ^= state >>> 17; state ^= state << 5;
    words[i] = state >>> 0;
  }
  return Buffer.from(words.buffer, 0, n);
}

export const PROBLEM_JSON = /^application\/problem\+json\b/;

/** Polls `check` every 20 ms; true as soon as it holds, false if it still fails after `ms`. */
export async function eventually(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = performance.now() + ms;
  while (!check()) {
    if (performance.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}
