// A circuit breaker per upstream: closed -> open after `failureThreshold` consecutive failures ->
// half-open after `cooldownMs` (one trial request) -> closed on success, open again on failure.
// Time comes only from `now()`, so the cool-down is plain arithmetic a test can drive.

export type Admission = { allowed: true } | { allowed: false; retryAfterMs: number };

export class CircuitBreaker {
  private failures = 0;
  private openedAt: number | undefined;
  private trialInFlight = false;

  constructor(
    private readonly failureThreshold: number,
    private readonly cooldownMs: number,
    private readonly now: () => number,
  ) {}

  admit(): Admission {
    if (this.openedAt === undefined) return { allowed: true };
    const waited = this.now() - this.openedAt;
    if (waited < this.cooldownMs) return { allowed: false, retryAfterMs: this.cooldownMs - waited };
    // Half-open: exactly one request probes the upstream; the others keep failing fast meanwhile.
    if (this.trialInFlight) return { allowed: false, retryAfterMs: 1000 };
    this.trialInFlight = true;
    return { allowed: true };
  }

  success(): void {
    this.failures = 0;
    this.openedAt = undefined;
    this.trialInFlight = false;
  }

  failure(): void {
    this.failures += 1;
    const wasTrial = this.trialInFlight;
    this.trialInFlight = false;
    // A failed trial re-opens at once; a closed circuit opens only at the threshold.
    if (wasTrial || this.failures >= this.failureThreshold) this.openedAt = this.now();
  }

  /** The request never reached the upstream (e.g. its body was too large): no verdict. */
  abandon(): void {
    this.trialInFlight = false;
  }
}
