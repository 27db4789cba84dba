// Stops calling a provider that keeps failing, and tries again after a cool-down.
// Keep the exported signatures; createPaymentClient decides how to use it.

export interface CircuitBreakerOptions {
  failureThreshold: number;
  cooldownMs: number;
  now: () => number;
}

export class CircuitBreaker {
  constructor(private readonly options: CircuitBreakerOptions) {}

  /** Throws a PaymentProviderError with code "circuit_open" if no request may be sent now. */
  beforeRequest(attemptsSoFar: number): void {
    void [this.options, attemptsSoFar];
    // TODO(circuit-breaker): closed, open, half-open with a single probe.
    throw new Error("not implemented: CircuitBreaker.beforeRequest");
  }

  recordSuccess(): void {
    throw new Error("not implemented: CircuitBreaker.recordSuccess");
  }

  recordFailure(): void {
    throw new Error("not implemented: CircuitBreaker.recordFailure");
  }
}
