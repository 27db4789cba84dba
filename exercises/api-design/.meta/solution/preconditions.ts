import type { Request } from "express";

// Strong validators (RFC 9110 §8.8.3): the version changes on every write, so the tag can be
// compared byte for byte. Express's own ETags are weak and hashed; the app turns them off.
export const etagFor = (version: number) => `"v${version}"`;

interface EntityTag {
  weak: boolean;
  opaque: string;
}

/** Parses `If-Match` / `If-None-Match`: "*" or a list of entity-tags. Undefined when absent. */
function parseTags(header: string | undefined): "*" | EntityTag[] | undefined {
  if (header === undefined) return undefined;
  // Stryker disable next-line MethodExpression: Node's HTTP parser already strips a header value's surrounding whitespace
  if (header.trim() === "*") return "*";
  return [...header.matchAll(/(W\/)?("[^"]*")/g)].map((m) => ({
    weak: m[1] !== undefined,
    opaque: m[2]!,
  }));
}

/** The versions an `If-Match` would accept, by the strong comparison §13.1.1 requires. */
export function ifMatchVersions(req: Request): "*" | number[] | undefined {
  const tags = parseTags(req.get("if-match"));
  if (tags === undefined || tags === "*") return tags;
  // A weak tag never matches strongly, even if its opaque part is the current one.
  return tags.flatMap((tag) =>
    tag.weak ? [] : (/^v(\d{1,9})$/.exec(tag.opaque.slice(1, -1))?.slice(1) ?? []).map(Number),
  );
}

/** `If-None-Match` uses the weak comparison (§13.1.2): W/"v1" matches "v1". */
export function noneMatch(req: Request, etag: string): boolean {
  const tags = parseTags(req.get("if-none-match"));
  if (tags === undefined) return true;
  if (tags === "*") return false;
  return !tags.some((tag) => tag.opaque === etag);
}
