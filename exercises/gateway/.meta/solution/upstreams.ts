// Everything the gateway keeps per upstream: its instances' rotation and its circuit breaker.
import { Agent } from "node:http";
import { Balancer } from "./balancer";
import { CircuitBreaker } from "./breaker";
import type { GatewayOptions } from "./types";

export class Upstreams {
  /** Keep-alive connections to the instances, owned by this gateway and closed with it. */
  readonly agent = new Agent({ keepAlive: true });
  readonly timeoutMs: number;
  readonly maxBodyBytes: number;
  readonly retries: number;
  private readonly balancers = new Map<string, Balancer>();
  private readonly breakers = new Map<string, CircuitBreaker>();

  constructor(options: GatewayOptions) {
    this.timeoutMs = options.upstreamTimeoutMs ?? 5000;
    this.maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
    this.retries = options.retries ?? 0;
    const now = options.now ?? Date.now;
    for (const [name, instances] of Object.entries(options.upstreams)) {
      this.balancers.set(name, new Balancer(instances));
      const { breaker } = options;
      if (breaker)
        this.breakers.set(
          name,
          new CircuitBreaker(breaker.failureThreshold, breaker.cooldownMs, now),
        );
    }
  }

  balancer(name: string): Balancer {
    const balancer = this.balancers.get(name);
    // Stryker disable next-line ConditionalExpression,StringLiteral,CallExpression: a route naming no upstream is a configuration mistake no rule fixes; either way send throws and the request gets 502
    if (!balancer) throw new Error(`route names unknown upstream "${name}"`);
    return balancer;
  }

  breaker(name: string): CircuitBreaker | undefined {
    return this.breakers.get(name);
  }

  checkHealth(path: string): Promise<unknown> {
    return Promise.all(
      [...this.balancers.values()].map((b) => b.check(this.agent, path, this.timeoutMs)),
    );
  }
}
