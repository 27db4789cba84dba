import type { HttpReply } from "@backend-sandbox/testkit";
import { nextLink } from "./link-header";

/** Follows rel="next" from `path` until the last page; returns every page's reply in order. */
export async function walk(
  get: (path: string) => Promise<HttpReply>,
  baseUrl: string,
  path: string,
  maxPages = 100,
) {
  const pages: { path: string; status: number; link: string | null; items: any[] }[] = [];
  for (let next: string | undefined = path; next !== undefined;) {
    if (pages.length >= maxPages)
      throw new Error(`expected the walk from ${path} to end within ${maxPages} pages; it did not`);
    const reply = await get(next);
    if (reply.status !== 200)
      throw new Error(
        `expected 200 from GET ${next}; got ${reply.status} ${reply.text.slice(0, 200)}`,
      );
    pages.push({
      path: next,
      status: reply.status,
      link: reply.headers.get("link"),
      items: reply.body?.items ?? [],
    });
    next = nextLink(reply.headers.get("link"), baseUrl);
  }
  return pages;
}
