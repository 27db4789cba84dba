import { STATUS_CODES } from "node:http";
import { because } from "./expectations";
import { noteNotImplementedReply } from "./not-implemented";

/** One HTTP answer, read once into plain values: what every exercise's tests look at. */
export interface HttpReply {
  status: number;
  headers: Headers;
  /** The body as text ("" for none). */
  text: string;
  /** The body parsed as JSON, or undefined when it is empty or not JSON. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON
  body: any;
  /** Wall time from sending to the end of the body, in ms. */
  ms: number;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  /** Sent as JSON, with `Content-Type: application/json` unless headers give one. */
  json?: unknown;
  /** Sent as it is; no Content-Type unless headers give one. */
  body?: string | Uint8Array;
  /** Fails the request when no complete answer comes in time (default 10000 ms). */
  timeoutMs?: number;
  /**
   * "manual" (the default): a 3xx is the reply, as the server sent it, so a test sees exactly what
   * the code under test answered; "follow" lets fetch follow redirects.
   */
  redirect?: "manual" | "follow";
}

/** Sends one request with fetch and reads the whole answer (RFC 9110 semantics, Node's fetch). */
export async function request(url: string, options: RequestOptions = {}): Promise<HttpReply> {
  const headers = { ...options.headers };
  let body: string | Uint8Array | undefined = options.body;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    if (!Object.keys(headers).some((name) => name.toLowerCase() === "content-type"))
      headers["content-type"] = "application/json";
  }
  const started = performance.now();
  const response = await fetch(url, {
    method: options.method ?? "GET",
    headers,
    body,
    redirect: options.redirect ?? "manual",
    signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
  });
  return httpReply(response.status, response.headers, await response.text(), started);
}

/**
 * An `HttpReply` from an answer read some other way (e.g. with node:http, which, unlike fetch,
 * may send hop-by-hop headers): the body parsed as JSON as `request` does. `started` is the
 * `performance.now()` at sending.
 */
export function httpReply(
  status: number,
  headers: Headers,
  text: string,
  started: number,
): HttpReply {
  noteNotImplementedReply(status, text);
  return { status, headers, text, body: parseJson(text), ms: performance.now() - started };
}

function parseJson(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** `application/problem+json`, with or without parameters (RFC 9457 §3). */
export const PROBLEM_JSON = /^application\/problem\+json\s*(;|$)/i;

// RFC 9110's reason phrases where Node's differ; either is accepted as an about:blank title.
const RFC_PHRASES: Record<number, string> = {
  413: "Content Too Large",
  422: "Unprocessable Content",
};

/**
 * Asserts that a reply is RFC 9457 problem details for `status`: that status, Content-Type
 * `application/problem+json`, a JSON object whose `status` member matches and whose `type`,
 * `title` (and any `members` given, e.g. `["detail", "instance"]`) are strings, and no stack
 * trace in the body. An
 * `about:blank` problem's title must be the status's reason phrase (RFC 9457 §4.2.1). `what`
 * names the request in the failure message.
 */
export function expectProblem(
  reply: Pick<HttpReply, "status" | "headers" | "text" | "body">,
  status: number,
  what: string,
  members: string[] = [],
): void {
  const seen = `${reply.status} (${reply.headers.get("content-type") ?? "no Content-Type"}) ${reply.text.slice(0, 300) || "<empty body>"}`;
  because(
    `expected ${what} to be answered ${status} as application/problem+json (RFC 9457) with type, title and status${members.length ? `, ${members.join(", ")}` : ""}; got ${seen}`,
    () => {
      expect(reply.status).toBe(status);
      expect(reply.headers.get("content-type")).toMatch(PROBLEM_JSON);
      expect(reply.body).toEqual(expect.objectContaining({ status }));
      // RFC 9457 §3.1: type, title, detail and instance are strings.
      for (const member of ["type", "title", ...members])
        expect(typeof reply.body[member]).toBe("string");
    },
  );
  if (reply.body.type === "about:blank")
    because(
      `expected an about:blank problem's title to be the HTTP reason phrase for ${status}; got "${reply.body.title}"`,
      () => expect([STATUS_CODES[status], RFC_PHRASES[status]]).toContain(reply.body.title),
    );
  because(`expected no stack trace in the body of ${what}; got ${reply.text.slice(0, 300)}`, () =>
    expect(reply.text).not.toMatch(/\bat .+\.(ts|js):\d+/),
  );
}
