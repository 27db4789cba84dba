// A fake payment provider on loopback. Each request to POST /v1/charges takes the next scripted
// step (or answers 200); it charges at most once per Idempotency-Key, like the real thing.
import type { IncomingMessage, ServerResponse } from "node:http";
import { manualClock, startServer, type ManualClock } from "@backend-sandbox/testkit";

export interface Step {
  /** Wait before answering (ms). */
  delayMs?: number;
  /** Answer with this error status instead of charging. */
  status?: number;
  retryAfter?: string;
  /** An error body; the default one echoes the presented API key, as some providers do. */
  body?: unknown;
  /** "before": cut the connection without charging; "after-charge": charge, then cut it (the answer is lost). */
  drop?: "before" | "after-charge";
}

export interface RecordedRequest {
  authorization: string | undefined;
  idempotencyKey: string | undefined;
  contentType: string | undefined;
  body: Record<string, unknown>;
  /** When the request arrived, by the client's injected clock if the test passed one. */
  at: number;
}

export interface FakeProvider {
  url: string;
  requests: RecordedRequest[];
  /** Charges actually made, one per idempotency key. */
  charges: Map<string, { id: string; amount: number; currency: string; status: string }>;
  /** Queue steps for the next requests, in order. */
  script(...steps: Step[]): void;
  /** The step used once the queue is empty (default: charge and answer 200). */
  otherwise(step: Step): void;
  /** Requests whose connection the client closed before the provider answered. */
  abandoned: number;
}

export async function startFakeProvider(
  secretKey: string,
  clock: () => number = Date.now,
): Promise<FakeProvider> {
  const queue: Step[] = [];
  let fallback: Step = {};
  const provider: FakeProvider = {
    url: "",
    requests: [],
    charges: new Map(),
    script: (...steps) => queue.push(...steps),
    otherwise: (step) => (fallback = step),
    abandoned: 0,
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const step = queue.shift() ?? fallback;
    const idempotencyKey = req.headers["idempotency-key"] as string | undefined;
    provider.requests.push({
      authorization: req.headers.authorization,
      idempotencyKey,
      contentType: req.headers["content-type"],
      body: JSON.parse(Buffer.concat(chunks).toString() || "{}"),
      at: clock(),
    });
    if (step.delayMs) {
      const gone = await waitOrClose(res, step.delayMs);
      if (gone) return void provider.abandoned++;
    }
    if (step.drop === "before") return void req.socket.destroy();
    const presented = (req.headers.authorization ?? "").replace(/^Bearer /, "");
    const status = step.status ?? (presented === secretKey ? 200 : 401);
    if (status !== 200) {
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (step.retryAfter !== undefined) headers["retry-after"] = step.retryAfter;
      const body = step.body ?? { error: { message: `Request failed for API key ${presented}` } };
      return void res.writeHead(status, headers).end(JSON.stringify(body));
    }
    const key = idempotencyKey ?? `no-key-${provider.requests.length}`;
    const request = provider.requests.at(-1)!.body;
    if (!provider.charges.has(key)) {
      provider.charges.set(key, {
        id: `ch_${provider.charges.size + 1}`,
        amount: request.amount as number,
        currency: request.currency as string,
        status: "succeeded",
      });
    }
    if (step.drop === "after-charge") return void req.socket.destroy();
    res
      .writeHead(200, { "content-type": "application/json" })
      .end(JSON.stringify(provider.charges.get(key)));
  };

  const server = await startServer((req, res) => void handle(req, res));
  provider.url = server.url;
  return provider;
}

/** A fake provider and the manual clock it stamps requests with: pass `clock.now` (and `clock.sleep`) to the client too. */
export async function startFakeProviderOnClock(
  secretKey: string,
): Promise<{ clock: ManualClock; provider: FakeProvider }> {
  const clock = manualClock();
  return { clock, provider: await startFakeProvider(secretKey, clock.now) };
}

/** Resolves true if the client closed the connection before `ms` elapsed. */
function waitOrClose(res: ServerResponse, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    res.once("close", () => {
      clearTimeout(timer);
      resolve(!res.writableEnded);
    });
  });
}
