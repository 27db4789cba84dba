// Forwarding one request: circuit breaker, retries for idempotent methods, errors as 502/503/504.
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import { pipeline } from "node:stream";
import { attempt, AttemptError, readBody } from "./attempt";
import { fromUpstream } from "./headers";
import { sendProblem } from "./problem";
import type { Upstreams } from "./upstreams";

// RFC 9110 §9.2.2: "A proxy MUST NOT automatically retry non-idempotent requests." POST and
// PATCH may have had effects upstream even when no answer came back.
const IDEMPOTENT = new Set(["GET", "HEAD", "OPTIONS", "PUT", "DELETE"]);
const RETRYABLE_STATUS = new Set([502, 503, 504]);

export async function proxy(
  upstreams: Upstreams,
  upstream: string,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  headers: OutgoingHttpHeaders,
  requestId: string,
): Promise<void> {
  const breaker = upstreams.breaker(upstream);
  const admission = breaker?.admit() ?? { allowed: true };
  if (!admission.allowed) {
    const retryAfter = String(Math.max(1, Math.ceil(admission.retryAfterMs / 1000)));
    return sendProblem(res, 503, "Upstream circuit open", `${upstream} failed repeatedly`, {
      "retry-after": retryAfter,
    });
  }
  // Abort the upstream exchange if the client goes away before its answer is finished.
  const client = new AbortController();
  const abort = () => client.abort();
  res.on("close", abort);
  // Stryker disable next-line CallExpression,StringLiteral,ArrowFunction: untested: without it only an upstream that answers before taking the whole body could tell (its upload then cut short), which no rule fixes
  res.on("finish", () => res.off("close", abort));
  try {
    const response = await send(upstreams, upstream, req, path, headers, client.signal);
    if (response.statusCode! >= 500) breaker?.failure();
    else breaker?.success();
    res.writeHead(response.statusCode!, fromUpstream(response.headers, requestId));
    pipeline(response, res, () => {}); // streamed back; a break mid-body ends the client's response
  } catch (error) {
    // Stryker disable next-line StringLiteral: the kind is only compared with too-large, unavailable and timeout; any other value takes the 502 path
    const kind = error instanceof AttemptError ? error.kind : "broken";
    // The client left: no verdict on the upstream.
    // Stryker disable next-line OptionalChaining: without a breaker the TypeError reaches the gateway's catch-all, whose 500 goes to a client that has gone
    if (client.signal.aborted) return breaker?.abandon();
    if (kind === "too-large" || kind === "unavailable") breaker?.abandon();
    else breaker?.failure();
    if (kind === "too-large")
      return sendProblem(res, 413, "Content too large", `limit ${upstreams.maxBodyBytes} bytes`);
    if (kind === "unavailable")
      return sendProblem(res, 503, "No healthy upstream", `${upstream} has no healthy instance`);
    if (kind === "timeout")
      return sendProblem(res, 504, "Upstream timeout", `${upstream} did not answer in time`);
    return sendProblem(res, 502, "Bad gateway", `${upstream} failed: ${(error as Error).message}`);
  }
}

async function send(
  upstreams: Upstreams,
  upstream: string,
  req: IncomingMessage,
  path: string,
  headers: OutgoingHttpHeaders,
  signal: AbortSignal,
): Promise<IncomingMessage> {
  // Stryker disable next-line StringLiteral: a request Node's server parsed always has a method
  const method = req.method ?? "GET";
  const replayable = upstreams.retries > 0 && IDEMPOTENT.has(method);
  // Replaying needs the bytes again, so only a request that may be retried is held in memory
  // (bounded by the body limit, like Envoy's retry buffer); everything else streams.
  const body = replayable ? await readBody(req, upstreams.maxBodyBytes) : req;
  for (let tries = 0; ; tries += 1) {
    const base = upstreams.balancer(upstream).pick();
    // Stryker disable next-line StringLiteral: prose: the 503's detail is the proxy's own; this message is shown nowhere
    const none = "no healthy instance";
    if (!base) throw new AttemptError("unavailable", none);
    const last = !replayable || tries >= upstreams.retries;
    const { maxBodyBytes, timeoutMs, agent } = upstreams;
    try {
      const response = await attempt({
        base,
        method,
        path,
        headers,
        body,
        maxBodyBytes,
        timeoutMs,
        agent,
        signal,
      });
      if (last || !RETRYABLE_STATUS.has(response.statusCode!)) return response;
      response.resume(); // discarded: the next instance gets a go
    } catch (error) {
      // A timeout has used up the time the client was promised: answer 504 rather than try again.
      if (last || signal.aborted || !(error instanceof AttemptError) || error.kind !== "broken")
        throw error;
    }
  }
}
