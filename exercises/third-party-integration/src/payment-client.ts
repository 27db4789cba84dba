// You run the checkout service of a small web shop. It charges customers through a payment
// provider's HTTP API, which is sometimes slow, sometimes down, and sometimes throttles you.
// This file is the client for that API. Keep the exported names and signatures as they are.
import type { PaymentProviderError } from "./provider-error";

export interface PaymentClientOptions {
  baseUrl: string;
  /** Sent as `Authorization: Bearer <secretKey>`; never logged, never in an error. */
  secretKey: string;
  timeoutMs?: number; // per request, default 5000
  maxAttempts?: number; // default 4
  baseDelayMs?: number; // default 200
  maxDelayMs?: number; // backoff cap, default 5000
  deadlineMs?: number; // total budget of one operation, default 15000
  breaker?: { failureThreshold: number; cooldownMs: number }; // default 5, 30000
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
  /** POST {baseUrl}/v1/charges. @throws {PaymentProviderError} whatever goes wrong. */
  createCharge(request: ChargeRequest): Promise<Charge>;
}

export function createPaymentClient(options: PaymentClientOptions): PaymentClient {
  return {
    async createCharge(request: ChargeRequest): Promise<Charge> {
      // TODO(client): send the charge with the secret key and a timeout; map failures to PaymentProviderError.
      // TODO(retries): retry what may succeed next time, with backoff, one idempotency key per operation.
      throw new Error("not implemented: createCharge");
    },
  };
}
