import { Socket } from "node:net";
import { processPgClient } from "../process-packages";

/**
 * Which server start answers at a URL: Redis's `run_id` (INFO server, a random id per start) and
 * Postgres's `pg_postmaster_start_time()`. A warm service that was restarted, or whose port another
 * server took, answers with another identity, so a PING alone would not notice it.
 * Rejects when the server does not answer within `timeoutMs`.
 */
export async function serverIdentity(
  services: { redisUrl: string; databaseUrl: string },
  timeoutMs = 2000,
): Promise<{ redis: string; postgres: string }> {
  const [redis, postgres] = await Promise.all([
    redisRunId(services.redisUrl, timeoutMs),
    postgresStartTime(services.databaseUrl, timeoutMs),
  ]);
  return { redis, postgres };
}

function redisRunId(url: string, timeoutMs: number): Promise<string> {
  const { hostname, port, password } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    let reply = "";
    const fail = (why: string) => {
      socket.destroy();
      reject(new Error(`Redis at ${hostname}:${port}: ${why}`));
    };
    socket.setTimeout(timeoutMs, () => fail(`no answer within ${timeoutMs} ms`));
    socket.on("error", (error) => fail(error.message));
    socket.on("close", () => fail("closed the connection"));
    socket.on("data", (data) => {
      reply += data.toString();
      const runId = /run_id:([0-9a-f]+)/.exec(reply);
      if (runId) {
        socket.removeAllListeners("close");
        socket.destroy();
        resolve(runId[1]!);
      } else if (reply.startsWith("-")) fail(reply.split("\r\n")[0]!);
    });
    socket.connect(Number(port || 6379), hostname, () => {
      if (password) socket.write(`AUTH ${decodeURIComponent(password)}\r\n`);
      socket.write("INFO server\r\n");
    });
  });
}

async function postgresStartTime(url: string, timeoutMs: number): Promise<string> {
  const client = processPgClient({
    connectionString: url,
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
  });
  client.on("error", () => {});
  try {
    await client.connect();
    const { rows } = await client.query<{ started: string }>(
      "SELECT pg_postmaster_start_time()::text AS started",
    );
    return rows[0]!.started;
  } finally {
    await client.end().catch(() => {});
  }
}
