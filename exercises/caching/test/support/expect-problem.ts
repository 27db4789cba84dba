import { because, PROBLEM_JSON, type HttpReply } from "@backend-sandbox/testkit";

/**
 * R1.5: an error answer is `status` as application/problem+json, whose body holds that `status`
 * (a number) and a `detail` that is a non-empty string. `what` names the request in the message.
 */
export function expectProblem(reply: HttpReply, status: number, what: string): void {
  because(
    `expected ${what} to answer ${status} as application/problem+json with { status: ${status}, detail: "<a sentence>" }; got ${reply.status} (${reply.headers.get("content-type") ?? "no Content-Type"}) ${reply.text.slice(0, 200) || "<empty body>"}`,
    () => {
      expect(reply.status).toBe(status);
      expect(reply.headers.get("content-type")).toMatch(PROBLEM_JSON);
      expect(reply.body?.status).toBe(status);
      expect(typeof reply.body?.detail).toBe("string");
      expect((reply.body.detail as string).trim()).not.toBe("");
    },
  );
}
