import type { Duplex } from "node:stream";

/**
 * One JSON message per line, both ways, over a pipe: a request is `{"id": n, "op": name, ...}`,
 * its answer `{"re": n, "ok": value}` or `{"re": n, "error": value}`. Either side may send
 * requests (the test process calls the learner's code; the learner's process calls callbacks).
 */
export type Message = Record<string, unknown>;
export type RequestHandler = (request: Message) => Promise<unknown>;

/** Raised on every pending and later request once the other side is gone. */
export class ChannelClosedError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = "ChannelClosedError";
  }
}

export class Channel {
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve(v: unknown): void; reject(e: unknown): void }
  >();
  private buffered = "";
  private closedReason: string | undefined;

  /**
   * @param stream the pipe; closing it rejects every pending request
   * @param handle answers the other side's requests; what it throws is sent back as `error`,
   *   encoded by `encodeError` (the request's `ok` value must already be JSON-ready)
   */
  constructor(
    private readonly stream: Duplex,
    private readonly handle: RequestHandler,
    private readonly encodeError: (error: unknown) => unknown,
    /** Called when the pipe ends or fails; closes the channel unless the owner knows better why. */
    onEnd: (reason: string) => void = (reason) => this.close(reason),
  ) {
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => this.receive(chunk));
    stream.on("close", () => onEnd("the other process closed the channel"));
    stream.on("error", (error) => onEnd(`the channel failed: ${error.message}`));
  }

  /** Sends a request and resolves with its `ok` value (still encoded) or rejects with its decoded error. */
  request(op: string, params: Message = {}): Promise<unknown> {
    if (this.closedReason) return Promise.reject(new ChannelClosedError(this.closedReason));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.send({ id, op, ...params });
    });
  }

  /** Rejects what is pending with `reason`; later requests fail at once. */
  close(reason: string): void {
    if (this.closedReason) return;
    this.closedReason = reason;
    for (const { reject } of this.pending.values()) reject(new ChannelClosedError(reason));
    this.pending.clear();
    this.stream.destroy();
  }

  get closed(): string | undefined {
    return this.closedReason;
  }

  private send(message: Message): void {
    if (!this.closedReason) this.stream.write(JSON.stringify(message) + "\n");
  }

  private receive(chunk: string): void {
    this.buffered += chunk;
    let newline: number;
    while ((newline = this.buffered.indexOf("\n")) >= 0) {
      const line = this.buffered.slice(0, newline);
      this.buffered = this.buffered.slice(newline + 1);
      if (line.trim()) this.dispatch(JSON.parse(line) as Message);
    }
  }

  private dispatch(message: Message): void {
    if (typeof message.re === "number") {
      const waiter = this.pending.get(message.re);
      this.pending.delete(message.re);
      if (!waiter) return;
      if ("error" in message) waiter.reject(message.error);
      else waiter.resolve(message.ok);
      return;
    }
    this.handle(message).then(
      (ok) => this.send({ re: message.id, ok }),
      (error) => this.send({ re: message.id, error: this.encodeError(error) }),
    );
  }
}
