// A client for the app under test: the testkit's request, with the request kept on each reply.
import { request, type HttpReply } from "@backend-sandbox/testkit";

/** A reply, with the method and path that drew it (for failure messages and the contract). */
export interface ApiReply extends HttpReply {
  method: string;
  path: string;
}

export interface SendOptions {
  /** Sent as JSON with Content-Type: application/json. */
  json?: unknown;
  /** Sent as is; no Content-Type unless given in headers. */
  raw?: string | Uint8Array;
  headers?: Record<string, string>;
}

export type Api = ReturnType<typeof apiAt>;

/** Talks to the app served at `baseUrl`; `record` sees every reply. */
export function apiAt(baseUrl: string, record?: (reply: ApiReply) => void) {
  async function send(method: string, path: string, options: SendOptions = {}): Promise<ApiReply> {
    const { json, raw: body, headers } = options;
    const reply = {
      method,
      path,
      ...(await request(new URL(path, baseUrl).href, { method, headers, json, body })),
    };
    record?.(reply);
    return reply;
  }
  return {
    url: baseUrl,
    send,
    get: (path: string, headers?: Record<string, string>) => send("GET", path, { headers }),
    post: (path: string, json: unknown, headers?: Record<string, string>) =>
      send("POST", path, { json, headers }),
    put: (path: string, json: unknown, headers?: Record<string, string>) =>
      send("PUT", path, { json, headers }),
    del: (path: string, headers?: Record<string, string>) => send("DELETE", path, { headers }),
  };
}
