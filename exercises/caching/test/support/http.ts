// Real HTTP requests with fetch, answers read once into plain values.
export interface Answer {
  status: number;
  headers: Headers;
  /** Parsed JSON when the body is JSON, else the text ("" for none). */
   
  body: any;
  ms: number;
}

export async function call(url: string, method = "GET", body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const started = performance.now();
  const init: RequestInit = { method, headers: { ...headers }, signal: AbortSignal.timeout(20_000) };
  if (body !== undefined) {
    init.body = typeof body === "string" ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)["content-type"] ??= "application/json";
  }
  const response = await fetch(url, init);
  const text = await response.text();
  const json = /json/.test(response.headers.get("content-type") ?? "") && text ? JSON.parse(text) : text;
  return { status: response.status, headers: response.headers, body: json, ms: performance.now() - started };
}

export const get = (url: string, headers?: Record<string, string>) => call(url, "GET", undefined, headers);
export const put = (url: string, body: unknown) => call(url, "PUT", body);
export const patch = (url: string, body: unknown) => call(url, "PATCH", body);
export const del = (url: string) => call(url, "DELETE");

/** The fields a client writes, from a full product. */
export function fieldsOf({ name, category, priceCents }: { name: string; category: string; priceCents: number }) {
  return { name, category, priceCents };
}
