/** One answer of the app, with the parts the tests read. */
export interface Reply {
  status: number;
  headers: Headers;
  body: unknown;
}

/** GET `path`, as the client named by `apiKey` (no key: the client is the caller's IP). */
export async function get(baseUrl: string, apiKey?: string, headers: Record<string, string> = {}, path = "/quotes/random"): Promise<Reply> {
  const response = await fetch(`${baseUrl}${path}`, {
    headers: apiKey === undefined ? headers : { ...headers, "X-API-Key": apiKey },
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, headers: response.headers, body };
}

/** `count` requests at once, spread round-robin over `baseUrls`; the replies in order. */
export function burst(baseUrls: string[], count: number, apiKey?: string): Promise<Reply[]> {
  return Promise.all(Array.from({ length: count }, (_, i) => get(baseUrls[i % baseUrls.length]!, apiKey)));
}

/** `count` requests one after another (each sent once the previous one is answered); the replies in order. */
export async function inTurn(baseUrl: string, count: number, apiKey?: string): Promise<Reply[]> {
  const replies: Reply[] = [];
  for (let i = 0; i < count; i++) replies.push(await get(baseUrl, apiKey));
  return replies;
}

export function statuses(replies: Reply[]): number[] {
  return replies.map((reply) => reply.status);
}

export function countStatus(replies: Reply[], status: number): number {
  return replies.filter((reply) => reply.status === status).length;
}

/** Is the Content-Type application/problem+json (Express may append a charset)? */
export function isProblem(reply: Reply): boolean {
  return /^application\/problem\+json\b/.test(reply.headers.get("content-type") ?? "");
}
