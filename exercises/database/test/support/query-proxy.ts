// A Postgres proxy between the learner's process and this file's database, in the test process
// where the code under test cannot reach it. It reads the client's protocol messages (Query, and
// Parse/Bind/Execute), so it records each query the code sends with its parameters, can make the
// n-th one fail without it reaching Postgres, and can hold back the answer to the n-th one.
import net from "node:net";
import { onCleanup } from "@backend-sandbox/testkit";

export interface SpiedQuery {
  text: string;
  values: unknown[];
}

export interface QueryProxyOptions {
  /** True for a query (1-based, over all connections) that must fail before it reaches Postgres. */
  fail?: (query: SpiedQuery, n: number) => boolean;
  /** Hold back the answer to this query (1-based) until `resume()`. */
  pauseAfter?: number;
}

export interface QueryProxy {
  /** The database URL through this proxy: hand it to the code under test. */
  url: string;
  /** Every query sent through the proxy so far, in the order they reached it. */
  queries: SpiedQuery[];
  /** Resolves once query `pauseAfter` has run in Postgres; its answer is held until `resume()`. */
  paused: Promise<void>;
  resume(): void;
}

const SSL_REQUEST = 80877103;
const GSS_REQUEST = 80877104;

/** Starts a proxy to `databaseUrl` (loopback) on a free port; it is closed after the file's last test. */
export async function startQueryProxy(
  databaseUrl: string,
  options: QueryProxyOptions = {},
): Promise<QueryProxy> {
  const target = new URL(databaseUrl);
  const queries: SpiedQuery[] = [];
  const sockets = new Set<net.Socket>();
  let signal!: () => void;
  const paused = new Promise<void>((resolve) => (signal = resolve));
  const holding = new Set<() => void>(); // releases of held answers, run by resume()
  let resumed = false;

  const server = net.createServer((client) => {
    const upstream = net.connect({ host: target.hostname, port: Number(target.port || 5432) });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("error", () => (client.destroy(), upstream.destroy()));
      socket.on("close", () => {
        sockets.delete(socket);
        (socket === client ? upstream : client).destroy();
      });
    }
    const statements = new Map<string, string>(); // prepared statement name -> text
    const portals = new Map<string, SpiedQuery>();
    let transactionStatus = "I";
    let rawAnswers = 0; // an SSL or GSS request is answered with one byte, before any message
    let hold = false; // the answer to the paused query goes here until resume()
    const held: Buffer[] = [];
    let batch: Buffer[] = []; // an extended-protocol query's messages, up to its Sync
    let batchQueries: SpiedQuery[] = [];

    /** Counts `query`; false when it must fail instead of reaching Postgres. */
    const admit = (query: SpiedQuery): { ok: boolean; pause: boolean } => {
      queries.push(query);
      const n = queries.length;
      return { ok: !options.fail?.(query, n), pause: n === options.pauseAfter };
    };
    const send = (messages: Buffer[], found: SpiedQuery[]) => {
      let ok = true;
      let pause = false;
      for (const query of found) {
        const verdict = admit(query);
        ok &&= verdict.ok;
        pause ||= verdict.pause;
      }
      if (!ok) {
        client.write(failure(transactionStatus));
        return;
      }
      if (pause && !resumed) {
        hold = true;
        holding.add(() => {
          hold = false;
          for (const part of held.splice(0)) client.write(part);
        });
      }
      upstream.write(Buffer.concat(messages));
    };

    readMessages(client, true, (type, message, body) => {
      if (type === "") {
        const code = body.readInt32BE(0);
        if (code === SSL_REQUEST || code === GSS_REQUEST) rawAnswers += 1;
        upstream.write(message);
        return code === SSL_REQUEST || code === GSS_REQUEST; // still in start-up
      }
      if (type === "Q") {
        send([message], [{ text: cString(body, 0).text, values: [] }]);
        return false;
      }
      if (type === "P") {
        const name = cString(body, 0);
        statements.set(name.text, cString(body, name.end).text);
      } else if (type === "B") {
        const bound = parseBind(body);
        portals.set(bound.portal, {
          text: statements.get(bound.statement) ?? "",
          values: bound.values,
        });
      } else if (type === "E") {
        const portal = cString(body, 0).text;
        batchQueries.push(portals.get(portal) ?? { text: "", values: [] });
      }
      if ("PBDEC".includes(type)) {
        batch.push(message);
        return false;
      }
      if (type === "S" || type === "H") {
        batch.push(message);
        send(batch, batchQueries);
        batch = [];
        batchQueries = [];
        return false;
      }
      upstream.write(message);
      return false;
    });

    let serverBuffer = Buffer.alloc(0);
    upstream.on("data", (chunk: Buffer) => {
      while (rawAnswers > 0 && chunk.length > 0) {
        rawAnswers -= 1;
        client.write(chunk.subarray(0, 1));
        chunk = chunk.subarray(1);
      }
      serverBuffer = Buffer.concat([serverBuffer, chunk]);
      let answered = false; // the chunk holds a ReadyForQuery: the query before it has run
      let at = 0;
      while (serverBuffer.length - at >= 5) {
        const length = serverBuffer.readInt32BE(at + 1);
        if (serverBuffer.length - at < 1 + length) break;
        if (serverBuffer[at] === 0x5a /* Z: ready for query */) {
          transactionStatus = String.fromCharCode(serverBuffer[at + 5]!);
          answered = true;
        }
        at += 1 + length;
      }
      const complete = serverBuffer.subarray(0, at);
      serverBuffer = serverBuffer.subarray(at);
      if (!hold) {
        client.write(complete);
        return;
      }
      held.push(complete);
      if (answered) signal();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  onCleanup(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  );
  const url = new URL(databaseUrl);
  url.hostname = "127.0.0.1";
  url.port = String((server.address() as net.AddressInfo).port);
  return {
    url: url.toString(),
    queries,
    paused,
    resume() {
      resumed = true;
      for (const release of holding) release();
      holding.clear();
    },
  };
}

/**
 * Calls `onMessage(type, message, body)` for each whole message the client sends; the untyped
 * start-up messages come with type "". `onMessage` returns whether start-up goes on.
 */
function readMessages(
  socket: net.Socket,
  startingUp: boolean,
  onMessage: (type: string, message: Buffer, body: Buffer) => boolean,
): void {
  let buffer = Buffer.alloc(0);
  let startup = startingUp;
  socket.on("data", (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      const headerLength = startup ? 0 : 1;
      if (buffer.length < headerLength + 4) return;
      const length = buffer.readInt32BE(headerLength);
      if (buffer.length < headerLength + length) return;
      const message = buffer.subarray(0, headerLength + length);
      buffer = buffer.subarray(headerLength + length);
      const type = startup ? "" : String.fromCharCode(message[0]!);
      startup = onMessage(type, message, message.subarray(headerLength + 4));
    }
  });
}

function cString(body: Buffer, start: number): { text: string; end: number } {
  const end = body.indexOf(0, start);
  return { text: body.toString("utf8", start, end), end: end + 1 };
}

/** Bind: portal, statement, parameter formats, then each parameter (text, or a Buffer when binary). */
function parseBind(body: Buffer): { portal: string; statement: string; values: unknown[] } {
  const portal = cString(body, 0);
  const statement = cString(body, portal.end);
  let at = statement.end;
  const formatCount = body.readInt16BE(at);
  const formats = Array.from({ length: formatCount }, (_, i) => body.readInt16BE(at + 2 + 2 * i));
  at += 2 + 2 * formatCount;
  const count = body.readInt16BE(at);
  at += 2;
  const values: unknown[] = [];
  for (let i = 0; i < count; i++) {
    const length = body.readInt32BE(at);
    at += 4;
    if (length < 0) {
      values.push(null);
      continue;
    }
    const raw = body.subarray(at, at + length);
    at += length;
    const format = formatCount === 1 ? formats[0] : (formats[i] ?? 0);
    values.push(format === 1 ? Buffer.from(raw) : raw.toString("utf8"));
  }
  return { portal: portal.text, statement: statement.text, values };
}

/** An ErrorResponse then a ReadyForQuery that keeps the transaction's status: the query failed, the connection lives. */
function failure(status: string): Buffer {
  const fields = Buffer.from(
    "SERROR\0VERROR\0C08006\0Minjected failure: the connection dropped before this query\0\0",
  );
  const error = Buffer.alloc(5);
  error.write("E", 0);
  error.writeInt32BE(4 + fields.length, 1);
  const ready = Buffer.from([0x5a, 0, 0, 0, 5, status.charCodeAt(0)]);
  return Buffer.concat([error, fields, ready]);
}
