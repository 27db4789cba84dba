// A client for the payment provider's charge API: one idempotency key per operation, bounded
// retries with full-jitter backoff, a per-request timeout, and a circuit breaker.
import { randomUUID } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";
import { CircuitBreaker } from "./circuit-breaker";
import { PaymentProviderError, type ProviderErrorCode } from "./provider-error";
import { backoffDelay, isRetryableStatus, parseRetryAfter } from "./retry-policy";

export interface PaymentClientOptions {
  baseUrl: string;
  secretKey: string;
  timeoutMs?: number;
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  deadlineMs?: number;
  breaker?: { failureThreshold: number; cooldownMs: number };
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => number;
  newIdempotencyKey?: () => string;
}

export interface ChargeRequest {
  amount: number;
  currency: string;
  orderId?: string;
  idempotencyKey?: string;
}
export interface Charge {
  id: string;
  amount: number;
  currency: string;
  status: string;
}
export interface PaymentClient {
  createCharge(request: ChargeRequest): Promise<Charge>;
}

type Outcome =
  { charge: Charge } | { error: PaymentProviderError; retryable: boolean; waitMs?: number };

export function createPaymentClient(options: PaymentClientOptions): PaymentClient {
  const o = {
    timeoutMs: 5000,
    maxAttempts: 4,
    baseDelayMs: 200,
    maxDelayMs: 5000,
    deadlineMs: 15_000,
    breaker: { failureThreshold: 5, cooldownMs: 30_000 },
    sleep: (ms: number) => delay(ms),
    random: Math.random,
    now: Date.now,
    newIdempotencyKey: randomUUID,
    ...options,
  };
  const breaker = new CircuitBreaker({ ...o.breaker, now: o.now });

  async function send(request: ChargeRequest, key: string, attempt: number): Promise<Outcome> {
    const fail = (code: ProviderErrorCode, message: string, status?: number) =>
      new PaymentProviderError(code, message, status, attempt);
    let response: Response;
    let text: string;
    try {
      response = await fetch(`${o.baseUrl}/v1/charges`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${o.secretKey}`,
          "idempotency-key": key,
          "content-type": "application/json",
        },
        body: JSON.stringify({
          amount: request.amount,
          currency: request.currency,
          orderId: request.orderId,
        }),
        signal: AbortSignal.timeout(o.timeoutMs), // also bounds reading the body
      });
      text = await response.text();
    } catch (error) {
      breaker.recordFailure();
      // No `cause`: low-level errors may carry the request, and with it the Authorization header.
      // Stryker disable next-line OptionalChaining: equivalent, fetch rejects with an error object, never null or undefined
      const timedOut = (error as { name?: unknown } | null)?.name === "TimeoutError"; // AbortSignal.timeout's DOMException
      return timedOut
        ? {
            // Stryker disable next-line StringLiteral: prose, no rule words the message (only its code)
            error: fail("timeout", `payment provider gave no answer within ${o.timeoutMs} ms`),
            retryable: true,
          }
        : // Stryker disable next-line StringLiteral: prose, no rule words the message (only its code)
          { error: fail("unavailable", "could not reach the payment provider"), retryable: true };
    }
    if (response.status >= 500) breaker.recordFailure();
    else breaker.recordSuccess(); // any answer below 500 means the provider is up
    if (response.ok) return { charge: JSON.parse(text) as Charge };
    // The provider's body is not copied into the error: it may echo our key back.
    const error = fail(
      codeFor(response.status),
      // Stryker disable next-line StringLiteral: prose, no rule words the message (only its code and status)
      `payment provider answered ${response.status}`,
      response.status,
    );
    const retryable = isRetryableStatus(response.status);
    const honoured = response.status === 429 || response.status === 503;
    const waitMs = honoured
      ? parseRetryAfter(response.headers.get("retry-after"), o.now())
      : undefined;
    return { error, retryable, waitMs };
  }

  return {
    async createCharge(request) {
      // A caller's key goes into a header: refuse one that is empty, over Stripe's 255 characters, or
      // not visible ASCII (a newline would even let it smuggle in another header).
      if (
        // Stryker disable next-line ConditionalExpression: equivalent, RegExp#test reads undefined as "undefined", 9 visible ASCII characters: it passes
        request.idempotencyKey !== undefined &&
        !/^[\x21-\x7e]{1,255}$/.test(request.idempotencyKey)
      ) {
        throw new PaymentProviderError(
          "invalid_request",
          // Stryker disable next-line StringLiteral: prose, no rule words the message (only its code)
          "idempotencyKey must be 1-255 visible ASCII characters",
        );
      }
      // One key for every attempt of this operation, so a retry after a lost answer is not a second charge.
      const key = request.idempotencyKey ?? o.newIdempotencyKey();
      const started = o.now();
      for (let attempt = 1; ; attempt++) {
        breaker.beforeRequest(attempt - 1); // an open circuit is never retried: that is the point of it
        const outcome = await send(request, key, attempt);
        if ("charge" in outcome) return outcome.charge;
        if (!outcome.retryable || attempt >= o.maxAttempts) throw outcome.error;
        const wait = outcome.waitMs ?? backoffDelay(attempt, o.baseDelayMs, o.maxDelayMs, o.random);
        if (o.now() - started + wait > o.deadlineMs) throw outcome.error; // would overrun the total budget
        await o.sleep(wait);
      }
    },
  };
}

function codeFor(status: number): ProviderErrorCode {
  if (status === 401 || status === 403) return "authentication";
  if (status === 402) return "declined";
  if (status === 429) return "rate_limited";
  if (status >= 500) return "unavailable";
  return "invalid_request";
}
