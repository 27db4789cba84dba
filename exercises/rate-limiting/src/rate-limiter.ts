// The middleware every request passes through: who is the client, may it go on, and what to tell it.
// Keep the exported signature: app.ts calls it.
import type { RequestHandler } from "express";
import type { AppOptions } from "./types";

export function createRateLimiter(options: AppOptions): RequestHandler {
  // TODO(fixed-window): identify the client (a valid X-API-Key, else req.ip; a malformed key gets 400),
  //   count its request with consume() from algorithms.ts, and answer 429 application/problem+json
  //   with Retry-After in whole seconds once its budget for the window is spent.
  // TODO(headers): on every 2xx and 429, send RateLimit-Policy and RateLimit (draft-8+ syntax).
  // TODO(redis-outage): bound every Redis call by options.redisTimeoutMs, then fail open or closed (503);
  //   options left out get the defaults documented in app.ts.
  throw new Error("not implemented: createRateLimiter");
}
