// R1.6: what every error the gateway produces itself looks like, checked the same way everywhere.
import { because, PROBLEM_JSON, type HttpReply } from "@backend-sandbox/testkit";

/** Asserts that `reply` is an RFC 9457 problem document for `status` with a title and a detail. */
export function expectProblem(reply: HttpReply, status: number, what: string): void {
  const body = (reply.body ?? {}) as Record<string, unknown>;
  because(
    `expected ${what} to be answered ${status} as application/problem+json with a non-empty title and detail and "status": ${status}; got ${reply.status} (${reply.headers.get("content-type") ?? "no Content-Type"}) ${reply.text.slice(0, 200) || "<empty body>"}`,
    () => {
      expect(reply.status).toBe(status);
      expect(reply.headers.get("content-type")).toMatch(PROBLEM_JSON);
      expect(body.status).toBe(status);
      expect(body.title).toEqual(expect.stringMatching(/\S/));
      expect(body.detail).toEqual(expect.stringMatching(/\S/));
    },
  );
}
