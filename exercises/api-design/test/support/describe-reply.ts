import type { HttpReply } from "@backend-sandbox/testkit";

/** A reply in one line for failure messages: status, Content-Type and the start of the body. */
export function describeReply(reply: HttpReply): string {
  const type = reply.headers.get("content-type") ?? "no Content-Type";
  return `${reply.status} (${type}) ${reply.text.slice(0, 300) || "<empty body>"}`;
}
