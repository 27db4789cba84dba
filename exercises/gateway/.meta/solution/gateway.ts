// The gateway: one request listener in front of the upstreams, built on node:http so bodies
// stream both ways without a framework in the path.
import type { IncomingMessage, ServerResponse } from "node:http";
import { aggregate } from "./aggregate";
import { identify, jwtSettings } from "./auth";
import { requestIdOf, toUpstream } from "./headers";
import type { JwtSettings } from "./jwt";
import { sendProblem } from "./problem";
import { proxy } from "./proxy";
import { takeRequest, type Verdict } from "./rate-limit";
import { matchRoute, parseTarget, upstreamPath } from "./routing";
import type { Gateway, GatewayOptions } from "./types";
import { Upstreams } from "./upstreams";

export type { Aggregate, Gateway, GatewayOptions, JwtOptions, NewConsumer, Route } from "./types";

export function createGateway(options: GatewayOptions): Gateway {
  // A configuration mistake should stop the gateway from starting, not surface per request.
  if (options.routes.some((route) => !route.public) && (!options.pg || !options.redis)) {
    // Stryker disable next-line StringLiteral: the message is prose; R3.18 asks only that it throws
    throw new Error("routes that are not public need pg (consumers) and redis (rate limits)");
  }
  const jwt = jwtSettings(options);
  const upstreams = new Upstreams(options);
  const healthPath = options.healthPath ?? "/healthz";
  const checkHealth = async () => {
    await upstreams.checkHealth(healthPath);
  };
  const interval = options.healthCheckIntervalMs;
  const timer = interval ? setInterval(() => void checkHealth(), interval) : undefined;
  timer?.unref();
  return {
    handle: (req, res) => {
      handle(options, upstreams, jwt, req, res).catch((error: Error) =>
        sendProblem(res, 500, "Gateway error", error.message),
      );
    },
    checkHealth,
    close: async () => {
      clearInterval(timer);
      upstreams.agent.destroy();
    },
  };
}

async function handle(
  options: GatewayOptions,
  upstreams: Upstreams,
  jwt: JwtSettings | undefined,
  req: IncomingMessage,
  res: ServerResponse,
) {
  const requestId = requestIdOf(req);
  res.setHeader("x-request-id", requestId); // on every answer, errors included
  const target = parseTarget(req.url);
  if (!target)
    return sendProblem(
      res,
      400,
      "Bad request target",
      "expected an origin-form path without dot segments",
    );
  const headers = toUpstream(req, requestId);

  const spec = options.aggregates?.find((a) => a.path === target.path);
  if (spec) {
    if (req.method !== "GET")
      return sendProblem(res, 405, "Method not allowed", "aggregates answer GET only", {
        allow: "GET",
      });
    delete headers["content-length"];
    return aggregate(upstreams, spec, res, headers);
  }
  const route = matchRoute(options.routes, target.path);
  if (!route) return sendProblem(res, 404, "No route", `no route matches ${target.path}`);
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > upstreams.maxBodyBytes) {
    return sendProblem(res, 413, "Content too large", `limit ${upstreams.maxBodyBytes} bytes`);
  }

  if (!route.public) {
    const caller = await identify(req, options.pg!, jwt);
    if ("challenge" in caller)
      return sendProblem(res, 401, "Unauthorized", caller.detail, {
        "www-authenticate": caller.challenge,
      });
    const { consumer } = caller;
    if (!consumer.routes.includes(route.name)) {
      // RFC 6750 §3.1: a good token that does not reach this resource is "insufficient_scope".
      const challenge = caller.bearer
        ? { "www-authenticate": 'Bearer realm="gateway", error="insufficient_scope"' }
        : {};
      return sendProblem(res, 403, "Forbidden", `not allowed to call ${route.name}`, challenge);
    }
    let verdict: Verdict;
    try {
      verdict = await takeRequest(
        options.redis!,
        consumer.id,
        consumer.rateLimit,
        options.rateLimitWindowMs ?? 60_000,
      );
    } catch {
      // Fail closed: without the shared counter no instance can know the consumer's budget.
      return sendProblem(res, 503, "Rate limiter unavailable", "try again shortly", {
        "retry-after": "1",
      });
    }
    if (!verdict.allowed) {
      return sendProblem(res, 429, "Too many requests", `limit ${consumer.rateLimit} per window`, {
        "retry-after": String(verdict.retryAfterSeconds),
      });
    }
    headers["x-consumer-id"] = consumer.id;
    // The token was the gateway's to check; upstreams learn who called from X-Consumer-Id.
    if (caller.bearer) delete headers.authorization;
  }
  return proxy(
    upstreams,
    route.upstream,
    req,
    res,
    upstreamPath(route, target),
    headers,
    requestId,
  );
}
