// One endpoint, several upstreams: the parts are fetched in parallel, so the answer takes as long
// as the slowest part, not the sum; a failed part is reported beside the others instead of
// failing the whole response.
import type { OutgoingHttpHeaders, ServerResponse } from "node:http";
import { attempt, AttemptError, readBody } from "./attempt";
import { sendProblem } from "./problem";
import type { Aggregate } from "./types";
import type { Upstreams } from "./upstreams";

type PartResult = { value: unknown } | { status: number };

export async function aggregate(
  upstreams: Upstreams,
  spec: Aggregate,
  res: ServerResponse,
  headers: OutgoingHttpHeaders,
): Promise<void> {
  const names = Object.keys(spec.parts);
  const results = await Promise.all(
    names.map((name) => fetchPart(upstreams, spec.parts[name]!, headers)),
  );
  const parts: Record<string, unknown> = {};
  const errors: Record<string, { status: number }> = {};
  names.forEach((name, index) => {
    const result = results[index]!;
    parts[name] = "value" in result ? result.value : null;
    if ("status" in result) errors[name] = { status: result.status };
  });
  const failed = Object.keys(errors).length;
  // Stryker disable next-line StringLiteral: how the detail separates the names is prose no rule words
  const list = names.join(", ");
  if (failed === names.length)
    return sendProblem(res, 502, "Bad gateway", `every part failed: ${list}`);
  const body = JSON.stringify(failed > 0 ? { parts, errors } : { parts });
  res
    .writeHead(200, {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(body),
    })
    .end(body);
}

async function fetchPart(
  upstreams: Upstreams,
  part: { upstream: string; path: string },
  headers: OutgoingHttpHeaders,
): Promise<PartResult> {
  const breaker = upstreams.breaker(part.upstream);
  if (breaker && !breaker.admit().allowed) return { status: 503 };
  const base = upstreams.balancer(part.upstream).pick();
  if (!base) {
    breaker?.abandon();
    return { status: 503 };
  }
  const { maxBodyBytes, timeoutMs, agent } = upstreams;
  const signal = new AbortController().signal;
  try {
    const response = await attempt({
      base,
      // Stryker disable next-line StringLiteral: node:http sends an empty method as GET
      method: "GET",
      path: part.path,
      headers,
      body: Buffer.alloc(0),
      maxBodyBytes,
      timeoutMs,
      agent,
      signal,
    });
    const status = response.statusCode!;
    if (status >= 500) breaker?.failure();
    else breaker?.success();
    const text = await readBody(response, maxBodyBytes);
    if (status < 200 || status > 299) return { status };
    return { value: JSON.parse(text.toString("utf8")) };
  } catch (error) {
    if (!(error instanceof SyntaxError)) breaker?.failure();
    return { status: error instanceof AttemptError && error.kind === "timeout" ? 504 : 502 };
  }
}
