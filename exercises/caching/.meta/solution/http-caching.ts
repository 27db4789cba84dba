// HTTP caching of a product representation: Cache-Control (RFC 9111 §5.2, RFC 5861), a strong
// ETag, and 304 Not Modified for a matching If-None-Match (RFC 9110 §13.1.2).
import { createHash } from "node:crypto";
import type { Request, Response } from "express";
import type { CacheOptions } from "./app";

/** Strong: the same bytes give the same tag on every instance, any change gives another one. */
export function etagOf(body: string): string {
  return `"${createHash("sha256").update(body).digest("base64url")}"`;
}

/** If-None-Match uses the weak comparison: W/"x" matches "x". "*" matches any current representation. */
export function noneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header === "*") return true; // Node has already stripped the whitespace around a field value
  return [...header.matchAll(/(?:W\/)?"[^"]*"/g)].some(([tag]) => tag.replace(/^W\//, "") === etag);
}

export function cacheControl(config: CacheOptions): string {
  const fresh = Math.floor(config.softTtlMs / 1000);
  const stale = Math.max(0, Math.floor((config.ttlMs - config.softTtlMs) / 1000));
  return `max-age=${fresh}, stale-while-revalidate=${stale}`;
}

export function sendCacheable(
  req: Request,
  res: Response,
  value: unknown,
  config: CacheOptions,
): void {
  const body = JSON.stringify(value);
  const etag = etagOf(body);
  res.set({ "Cache-Control": cacheControl(config), ETag: etag });
  if (noneMatch(req.get("if-none-match"), etag)) {
    res.status(304).end();
    return;
  }
  res.type("application/json").send(body);
}
