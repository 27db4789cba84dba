import { request, type HttpReply } from "@backend-sandbox/testkit";

/** GET a quote as the client named by `apiKey` (no key: the client is the caller's IP). */
export function get(
  baseUrl: string,
  apiKey?: string,
  headers: Record<string, string> = {},
): Promise<HttpReply> {
  return request(`${baseUrl}/quotes/random`, {
    headers: apiKey === undefined ? headers : { ...headers, "X-API-Key": apiKey },
  });
}

/** `count` requests at once, spread round-robin over `baseUrls`; the replies in order. */
export function burst(baseUrls: string[], count: number, apiKey?: string): Promise<HttpReply[]> {
  return Promise.all(
    Array.from({ length: count }, (_, i) => get(baseUrls[i % baseUrls.length]!, apiKey)),
  );
}

/** `count` requests one after another (each sent once the previous one is answered); the replies in order. */
export async function inTurn(
  baseUrl: string,
  count: number,
  apiKey?: string,
  headers?: Record<string, string>,
): Promise<HttpReply[]> {
  const replies: HttpReply[] = [];
  for (let i = 0; i < count; i++) replies.push(await get(baseUrl, apiKey, headers));
  return replies;
}
