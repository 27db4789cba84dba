// Which headers cross the gateway, in both directions (RFC 9110 §7.6).
import { randomUUID } from "node:crypto";
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders } from "node:http";

// RFC 9110 §7.6.1 names these as "known to require removal"; RFC 2616 §13.5.1 adds the Proxy-*
// credentials and Trailer. They describe one connection, never the message.
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "te",
  // Stryker disable next-line StringLiteral: Node frames every message itself: a body streamed without a length goes chunked either way, and a forwarded Transfer-Encoding: chunked asks for just that
  "transfer-encoding",
  "upgrade",
  "proxy-authorization",
  "proxy-authenticate",
  "trailer",
]);

/** The end-to-end headers: hop-by-hop ones removed, and every header Connection names. */
export function endToEnd(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  // Stryker disable next-line StringLiteral: "Stryker was here!" for a missing Connection is never a header's name: nothing more is removed
  const connection = String(headers.connection ?? "");
  const names = connection.split(",").map((name) => name.trim().toLowerCase());
  // Stryker disable next-line MethodExpression: an empty name is never a header's name: nothing more is removed
  const listed = new Set(names.filter(Boolean));
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    // Node's parsed headers hold no undefined value (so none is checked for).
    if (!HOP_BY_HOP.has(name) && !listed.has(name)) out[name] = value;
  }
  return out;
}

const SAFE_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** Keeps a caller's sane X-Request-Id so logs join up across services; otherwise mints one. */
export function requestIdOf(req: IncomingMessage): string {
  const inbound = req.headers["x-request-id"];
  return typeof inbound === "string" && SAFE_ID.test(inbound) ? inbound : randomUUID();
}

/** The headers sent upstream: end-to-end ones plus what the upstream needs to know about the hop. */
export function toUpstream(req: IncomingMessage, requestId: string): OutgoingHttpHeaders {
  const out = endToEnd(req.headers);
  // The upstream's Host is its own address (Node sets it); the client's goes in X-Forwarded-Host.
  delete out.host;
  // Identity is the gateway's to assert, never the client's (see gateway.ts).
  delete out["x-api-key"];
  delete out["x-consumer-id"];
  // Stryker disable next-line StringLiteral: a request being answered has a connected socket, whose address is known
  const client = req.socket.remoteAddress ?? "unknown";
  const chain = req.headers["x-forwarded-for"];
  // Append, never replace: the right-most entry is the one this gateway vouches for.
  out["x-forwarded-for"] = chain ? `${chain}, ${client}` : client;
  // Overwritten, not trusted from the client: the gateway itself speaks plain HTTP here.
  out["x-forwarded-proto"] = "http";
  // The Host the client sent, or none: only HTTP/1.0 allows a request without Host, and then the
  // gateway has no host to vouch for (the client's own X-Forwarded-Host is never passed on).
  delete out["x-forwarded-host"];
  if (req.headers.host !== undefined) out["x-forwarded-host"] = req.headers.host;
  out.via = req.headers.via ? `${req.headers.via}, 1.1 gateway` : "1.1 gateway"; // §7.6.3 MUST
  out["x-request-id"] = requestId;
  return out;
}

/** The headers sent back to the client. */
export function fromUpstream(headers: IncomingHttpHeaders, requestId: string): OutgoingHttpHeaders {
  return { ...endToEnd(headers), "x-request-id": requestId };
}
