// Checks that a reply is RFC 9457 problem details with the expected status.
import { STATUS_CODES } from "node:http";
import { because } from "@backend-sandbox/testkit";
import type { Reply } from "./api";

// RFC 9110's reason phrases where Node's differ; either is accepted as an about:blank title.
const RFC_PHRASES: Record<number, string> = { 413: "Content Too Large", 422: "Unprocessable Content" };

export function describeReply(reply: Reply): string {
  const type = reply.headers.get("content-type") ?? "no Content-Type";
  return `${reply.status} (${type}) ${reply.text.slice(0, 300) || "<empty body>"}`;
}

export function expectProblem(reply: Reply, status: number, what: string): void {
  because(`expected ${what} to be answered ${status} as application/problem+json (RFC 9457) with type, title, status, detail and instance; got ${describeReply(reply)}`, () => {
    expect(reply.status).toBe(status);
    expect(reply.headers.get("content-type")).toMatch(/^application\/problem\+json\b/);
    expect(reply.body).toEqual(expect.objectContaining({ status }));
    for (const member of ["type", "title", "detail", "instance"]) expect(typeof reply.body[member]).toBe("string");
  });
  if (reply.body.type === "about:blank") {
    because(`expected an about:blank problem's title to be the HTTP reason phrase for ${status}; got "${reply.body.title}"`, () =>
      expect([STATUS_CODES[status], RFC_PHRASES[status]]).toContain(reply.body.title),
    );
  }
  because(`expected no stack trace in the body of ${what}; got ${reply.text.slice(0, 300)}`, () =>
    expect(reply.text).not.toMatch(/\bat .+\.(ts|js):\d+/),
  );
}

/** The JSON Pointers a 422 names, e.g. ["#/name", "#/tags/2"], sorted. */
export const pointersOf = (reply: Reply): string[] =>
  Array.isArray(reply.body?.errors) ? reply.body.errors.map((e: { pointer?: unknown }) => String(e.pointer)).sort() : [];
