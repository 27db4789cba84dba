// The service's own error type for everything the payment provider (or the way to it) can do wrong.
// Callers branch on `code`, never on the provider's raw status or body.

export type ProviderErrorCode =
  | "invalid_request" // 400, 404, 409, 422 and any other 4xx not listed below: our request is wrong
  | "authentication" // 401, 403: our secret key is wrong or lacks rights
  | "declined" // 402: the provider refused the payment itself
  | "rate_limited" // 429 after the retries allowed
  | "unavailable" // 5xx or a network error after the retries allowed
  | "timeout" // the last attempt got no answer within timeoutMs
  | "circuit_open"; // the circuit breaker is open: no request was sent

export class PaymentProviderError extends Error {
  override name = "PaymentProviderError";

  constructor(
    readonly code: ProviderErrorCode,
    message: string,
    /** The provider's HTTP status of the last attempt, when there was an answer. */
    readonly status?: number,
    /** How many requests this operation sent to the provider (0 when the breaker was open). */
    readonly attempts = 0,
    /** circuit_open: how long until the breaker lets a probe through. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}
