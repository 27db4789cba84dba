// Starts the app under test on a real port and talks to it with fetch.
import { startServer, type FileServices } from "@backend-sandbox/testkit";
import { createApp, migrate, type AppOptions } from "#src/app";

export interface Reply {
  method: string;
  path: string;
  status: number;
  headers: Headers;
  text: string;
  /** The parsed JSON body, or undefined when the body is empty or not JSON. */
  body: any;
}

export interface SendOptions {
  /** Sent as JSON with Content-Type: application/json. */
  json?: unknown;
  /** Sent as is; no Content-Type unless given in headers. */
  raw?: string | Uint8Array;
  headers?: Record<string, string>;
}

/** A clock the tests move by hand: the app reads it through `now`. */
export class ManualClock {
  constructor(public ms = Date.parse("2025-03-01T09:00:00.000Z")) {}
  readonly now = () => new Date(this.ms);
  advance(ms: number): void {
    this.ms += ms;
  }
}

export type Api = ReturnType<typeof apiAt>;

export function apiAt(baseUrl: string, record?: (reply: Reply) => void) {
  async function send(method: string, path: string, options: SendOptions = {}): Promise<Reply> {
    const headers: Record<string, string> = { ...options.headers };
    let body: string | Uint8Array | undefined = options.raw;
    if (options.json !== undefined) {
      headers["content-type"] ??= "application/json";
      body = JSON.stringify(options.json);
    }
    const response = await fetch(new URL(path, baseUrl), { method, headers, body, redirect: "manual" });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text === "" ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const reply = { method, path, status: response.status, headers: response.headers, text, body: parsed };
    record?.(reply);
    return reply;
  }
  return {
    url: baseUrl,
    send,
    get: (path: string, headers?: Record<string, string>) => send("GET", path, { headers }),
    post: (path: string, json: unknown, headers?: Record<string, string>) => send("POST", path, { json, headers }),
    put: (path: string, json: unknown, headers?: Record<string, string>) => send("PUT", path, { json, headers }),
    del: (path: string, headers?: Record<string, string>) => send("DELETE", path, { headers }),
  };
}

/** Migrates the file's database and serves one app instance on it. */
export async function startApi(
  services: FileServices,
  options: Partial<AppOptions> & { record?: (reply: Reply) => void } = {},
): Promise<Api> {
  const { record, ...appOptions } = options;
  await migrate(services.pg);
  const app = createApp({ pg: services.pg, cursorSecret: "visible-tests-secret", onError: () => {}, ...appOptions });
  const server = await startServer(app);
  return apiAt(server.url, record);
}

/** A project body the API accepts. */
export const aProject = (name = "Launch the bookshop", extra: Record<string, unknown> = {}) => ({ name, ...extra });
