// The middleware every request passes through: who is the client, may it go on, and what to tell it.
import type { RequestHandler, Response } from "express";
import type { AppOptions, Policy } from "./types";
import { consume, type Decision } from "./algorithms";
import { createPlanStore } from "./plans";

// Keys live in Redis key names and in logs: a short, plain alphabet keeps both safe.
const API_KEY = /^[A-Za-z0-9._~-]{1,128}$/;
const PROBLEM_TYPES = "https://iana.org/assignments/http-problem-types";

export function createRateLimiter(options: AppOptions): RequestHandler {
  const now = options.now ?? Date.now;
  const failMode = options.failMode ?? "closed";
  const timeoutMs = options.redisTimeoutMs ?? 200;
  const onRedisError =
    options.onRedisError ??
    ((error: unknown) => console.error("rate limiter: Redis failed", error));
  const plans = options.pg
    ? createPlanStore(
        options.pg,
        now,
        options.planCacheMs ?? 60_000,
        options.planCacheEntries ?? 10_000,
      )
    : undefined;

  return async (req, res, next) => {
    const apiKey = req.get("x-api-key");
    if (apiKey !== undefined && !API_KEY.test(apiKey)) {
      return problem(res, 400, {
        title: "Malformed X-API-Key",
        detail: "An API key is 1 to 128 of A-Z a-z 0-9 . _ ~ -",
      });
    }
    let policy = options.policy;
    if (apiKey !== undefined && plans) {
      let plan: Policy | undefined;
      try {
        plan = await plans.planFor(apiKey);
      } catch {
        res.set("Retry-After", "1");
        return problem(res, 503, {
          type: `${PROBLEM_TYPES}#temporary-reduced-capacity`,
          title: "Plans unavailable",
        });
      }
      if (!plan) return problem(res, 401, { title: "Unknown API key" });
      policy = plan;
    }
    // req.ip is the socket's address: "trust proxy" is off, so a forged X-Forwarded-For buys nothing.
    // Keys and addresses get separate prefixes: an API key spelled like an IP is a different client.
    const client = apiKey !== undefined ? `key:${apiKey}` : `ip:${req.ip}`;

    let decision: Decision;
    try {
      decision = await withDeadline(consume(options.redis, policy, client, now()), timeoutMs);
    } catch (error) {
      onRedisError(error);
      if (failMode === "open") return next();
      res.set("Retry-After", "1");
      return problem(res, 503, {
        type: `${PROBLEM_TYPES}#temporary-reduced-capacity`,
        title: "Rate limiter unavailable",
      });
    }

    // draft-ietf-httpapi-ratelimit-headers (-08 and later): a named policy and its current state.
    const name = JSON.stringify(policy.name);
    const resetSeconds = Math.ceil(decision.resetMs / 1000);
    res.set("RateLimit-Policy", `${name};q=${policy.limit};w=${policy.windowSeconds}`);
    res.set("RateLimit", `${name};r=${decision.remaining};t=${resetSeconds}`);
    if (decision.allowed) return next();

    // RFC 9110 §10.2.3: delay-seconds is a whole number, so round the wait up, never down.
    res.set("Retry-After", String(resetSeconds));
    res.set("Cache-Control", "no-store"); // RFC 6585 §4: a 429 must not be stored by a cache
    return problem(res, 429, {
      type: `${PROBLEM_TYPES}#quota-exceeded`,
      title: "Too Many Requests",
      detail: `The ${policy.name} policy allows ${policy.limit} requests per ${policy.windowSeconds} s.`,
      "violated-policies": [policy.name],
    });
  };
}

/** Waits for `work` at most `ms`: ioredis queues commands while disconnected and a frozen server never answers. */
function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/** An RFC 9457 problem details response. */
function problem(res: Response, status: number, fields: Record<string, unknown>): void {
  res
    .status(status)
    .type("application/problem+json")
    .send(JSON.stringify({ type: "about:blank", status, ...fields }));
}
