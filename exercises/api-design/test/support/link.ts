// A tolerant parser for the Link header (RFC 8288 §3): rel="next" and rel=next are the same.
export function linksIn(header: string | null): Map<string, string> {
  const links = new Map<string, string>();
  if (!header) return links;
  for (const match of header.matchAll(/<([^>]*)>((?:\s*;\s*[^;,]+)*)/g)) {
    const rel = /;\s*rel\s*=\s*"?([^";,]+)"?/i.exec(match[2] ?? "")?.[1];
    for (const type of rel?.toLowerCase().split(/\s+/) ?? []) if (!links.has(type)) links.set(type, match[1]!);
  }
  return links;
}

/** The path and query of the rel="next" link, resolved against the API's base URL. */
export function nextLink(header: string | null, baseUrl: string): string | undefined {
  const next = linksIn(header).get("next");
  if (next === undefined) return undefined;
  const url = new URL(next, `${baseUrl}/projects`);
  return `${url.pathname}${url.search}`;
}

/** Follows rel="next" from `path` until the last page; returns every page's reply in order. */
export async function walk(
  get: (path: string) => Promise<{ status: number; headers: Headers; body: any; text: string }>,
  baseUrl: string,
  path: string,
  maxPages = 100,
) {
  const pages: { path: string; status: number; link: string | null; items: any[] }[] = [];
  for (let next: string | undefined = path; next !== undefined; ) {
    if (pages.length >= maxPages) throw new Error(`expected the walk from ${path} to end within ${maxPages} pages; it did not`);
    const reply = await get(next);
    if (reply.status !== 200) throw new Error(`expected 200 from GET ${next}; got ${reply.status} ${reply.text.slice(0, 200)}`);
    pages.push({ path: next, status: reply.status, link: reply.headers.get("link"), items: reply.body?.items ?? [] });
    next = nextLink(reply.headers.get("link"), baseUrl);
  }
  return pages;
}
