import type { HttpReply } from "@backend-sandbox/testkit";

/**
 * For `within`'s ruledOut: settles once `request` (`what`, e.g. "the read") has been answered or
 * has failed, saying so. Give it only for a gate that request cannot be answered without: a held
 * read or commit the app must await first. Then a correct app never answers first, and an app
 * that answers without reaching the gate (a stub's 500) fails at once instead of after the wait.
 */
export function answeredFirst(request: Promise<HttpReply>, what: string): Promise<string> {
  return request.then(
    (reply) => `${what} was answered ${reply.status} first`,
    (error: unknown) => `${what} failed first: ${reasonOf(error)}`,
  );
}

function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // fetch says only "fetch failed"; its cause says why (e.g. the app's process closed the socket)
  return error.cause instanceof Error ? `${error.message} (${error.cause.message})` : error.message;
}
