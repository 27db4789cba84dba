// A tolerant parser for the Link header (RFC 8288 §3): rel="next" and rel=next are the same.
export function linksIn(header: string | null): Map<string, string> {
  const links = new Map<string, string>();
  if (!header) return links;
  for (const match of header.matchAll(/<([^>]*)>((?:\s*;\s*[^;,]+)*)/g)) {
    const rel = /;\s*rel\s*=\s*"?([^";,]+)"?/i.exec(match[2] ?? "")?.[1];
    for (const type of rel?.toLowerCase().split(/\s+/) ?? [])
      if (!links.has(type)) links.set(type, match[1]!);
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
