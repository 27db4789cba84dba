// Errors the gateway itself produces are RFC 9457 problem documents.
import type { OutgoingHttpHeaders, ServerResponse } from "node:http";

export function sendProblem(
  res: ServerResponse,
  status: number,
  title: string,
  detail?: string,
  headers: OutgoingHttpHeaders = {},
): void {
  // Read and discard a body nobody will forward, so the client gets this answer instead of a reset.
  const req = res.req;
  if (req && !req.readableEnded) {
    req.unpipe();
    req.resume();
  }
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify({ type: "about:blank", title, status, detail });
  res.writeHead(status, {
    ...headers,
    "content-type": "application/problem+json",
    "content-length": Buffer.byteLength(body),
  });
  res.end(body);
}
