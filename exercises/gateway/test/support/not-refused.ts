import { PROBLEM_JSON } from "@backend-sandbox/testkit";
import { bearer } from "./bearer";
import { bearerError } from "./bearer-error";
import { send } from "./send";

/**
 * Sends `GET path` with each named token; returns what was wrong with the answers that are not
 * 401 problem documents with `WWW-Authenticate: Bearer error="invalid_token"` (RFC 6750 §3.1).
 */
export async function notRefused(
  url: string,
  path: string,
  tokens: Record<string, string>,
): Promise<string[]> {
  const wrong: string[] = [];
  for (const [what, token] of Object.entries(tokens)) {
    const answer = await send(url, path, { headers: bearer(token) });
    const problem = PROBLEM_JSON.test(answer.headers.get("content-type") ?? "");
    if (answer.status !== 401 || bearerError(answer) !== "invalid_token" || !problem) {
      const challenge = answer.headers.get("www-authenticate") ?? "no WWW-Authenticate";
      wrong.push(
        `${what}: ${answer.status}, ${challenge}${problem ? "" : ", not a problem document"}`,
      );
    }
  }
  return wrong;
}
