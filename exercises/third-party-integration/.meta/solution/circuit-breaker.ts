// A circuit breaker in front of the payment provider: after `failureThreshold` failures in a row
// calls fail fast, and after `cooldownMs` one probe decides whether the provider is back.
import { PaymentProviderError } from "./provider-error";

export interface CircuitBreakerOptions {
  /** Consecutive failed provider requests (network error, timeout, 5xx) that open the circuit. */
  failureThreshold: number;
  /** How long the circuit stays open before one probe request is let through. */
  cooldownMs: number;
  now: () => number;
}

export class CircuitBreaker {
  private failures = 0;
  private openedAt: number | undefined; // set while open or half-open
  private probeInFlight = false;

  constructor(private readonly options: CircuitBreakerOptions) {}

  /** Call before each provider request: throws a `circuit_open` error if the request must not be sent. */
  beforeRequest(attemptsSoFar: number): void {
    if (this.openedAt === undefined) return;
    const waited = this.options.now() - this.openedAt;
    // Half-open admits exactly one probe; everyone else keeps failing fast until it answers.
    if (waited >= this.options.cooldownMs && !this.probeInFlight) {
      this.probeInFlight = true;
      return;
    }
    const retryAfterMs = Math.max(0, this.options.cooldownMs - waited);
    throw new PaymentProviderError(
      "circuit_open",
      // Stryker disable next-line StringLiteral,ArithmeticOperator: prose, no rule words the message (retryAfterMs carries the wait)
      `payment provider circuit is open after repeated failures; retry in ${Math.ceil(retryAfterMs / 1000)} s`,
      undefined,
      attemptsSoFar,
      retryAfterMs,
    );
  }

  /** The provider answered (2xx or 4xx): it is up. Closes a half-open circuit. */
  recordSuccess(): void {
    this.failures = 0;
    this.openedAt = undefined;
    this.probeInFlight = false;
  }

  /** Network error, timeout or 5xx. A failed probe re-opens the circuit for a full cool-down. */
  recordFailure(): void {
    this.failures += 1;
    if (this.probeInFlight || this.failures >= this.options.failureThreshold) {
      this.openedAt = this.options.now();
      this.probeInFlight = false;
    }
  }
}
