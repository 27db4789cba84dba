// Route matching and prefix rewriting, done on the raw request target so that the query string
// reaches the upstream byte for byte (repeated keys, %2F, + all untouched).
import type { Route } from "./types";

export interface Target {
  path: string;
  /** "" or "?..." exactly as received. */
  query: string;
}

/**
 * Splits an origin-form target ("/path?query"). Anything else (absolute-form "http://evil/...",
 * "*") is refused: this is a gateway, not an open forward proxy. Dot segments are refused too,
 * because "/api/public/../admin" must not slip past a prefix match.
 */
export function parseTarget(url: string | undefined): Target | undefined {
  if (!url || !url.startsWith("/")) return undefined;
  const at = url.indexOf("?");
  const path = at === -1 ? url : url.slice(0, at);
  const query = at === -1 ? "" : url.slice(at);
  for (const segment of path.split("/")) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return undefined; // malformed percent-encoding
    }
    if (decoded === "." || decoded === "..") return undefined;
  }
  return { path, query };
}

const trimSlash = (prefix: string) => prefix.replace(/\/+$/, "");

/** The route with the longest prefix matching `path` on a segment boundary. */
export function matchRoute(routes: readonly Route[], path: string): Route | undefined {
  let best: Route | undefined;
  for (const route of routes) {
    const prefix = trimSlash(route.prefix);
    // A catch-all prefix ("" or "/") needs no case of its own: every path starts with "/".
    const matches = path === prefix || path.startsWith(`${prefix}/`);
    // Strictly longer: of two routes with one prefix, the first listed keeps the request.
    if (matches && (!best || prefix.length > trimSlash(best.prefix).length)) best = route;
  }
  return best;
}

/** Replaces the matched prefix by the route's rewrite: "/api/users/42" -> "/42" or "/v2/42". */
export function upstreamPath(route: Route, target: Target): string {
  const rest = target.path.slice(trimSlash(route.prefix).length);
  const path = trimSlash(route.rewrite ?? "") + rest;
  return (path.startsWith("/") ? path : `/${path}`) + target.query;
}
