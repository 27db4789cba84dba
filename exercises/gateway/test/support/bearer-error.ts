import type { HttpReply } from "@backend-sandbox/testkit";

/** The `error` of the Bearer challenge in WWW-Authenticate ("invalid_token", ...), if there is one. */
export function bearerError(reply: Pick<HttpReply, "headers">): string | undefined {
  const challenges = reply.headers.get("www-authenticate") ?? "";
  return /\bBearer\b.*?\berror="?([A-Za-z_]+)/i.exec(challenges)?.[1];
}
