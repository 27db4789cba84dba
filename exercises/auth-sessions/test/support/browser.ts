// A browser of the app's own pages, as the tests drive it: it keeps the session cookie the app
// sets, sends the app's Origin and, once the app gave one, the CSRF token (R4.1, R4.2).
import { request, type HttpReply } from "@backend-sandbox/testkit";
import { ORIGIN } from "./auth-app";

export class Browser {
  /** The `sid` cookie's value, as the app last set it. */
  sid: string | undefined;
  /** The Set-Cookie header of the last answer that set `sid`. */
  lastSetCookie: string | undefined;
  csrfToken: string | undefined;
  /** The Origin header sent; undefined sends none. */
  origin: string | undefined = ORIGIN;

  /** `address` is the client address the load balancer (the test) names in X-Forwarded-For. */
  constructor(
    public url: string,
    public address?: string,
  ) {}

  async send(
    method: string,
    path: string,
    json?: unknown,
    headers: Record<string, string> = {},
  ): Promise<HttpReply> {
    const sent: Record<string, string> = {};
    if (this.origin !== undefined) sent.origin = this.origin;
    if (this.sid !== undefined) sent.cookie = `sid=${this.sid}`;
    if (this.csrfToken) sent["x-csrf-token"] = this.csrfToken;
    if (this.address) sent["x-forwarded-for"] = this.address;
    const reply = await request(`${this.url}${path}`, {
      method,
      json,
      headers: { ...sent, ...headers },
    });
    for (const cookie of reply.headers.getSetCookie()) {
      const [pair] = cookie.split(";");
      const [name, ...value] = pair!.trim().split("=");
      if (name !== "sid") continue;
      this.lastSetCookie = cookie;
      const cleared = value.join("=") === "" || /;\s*max-age=0\b/i.test(cookie);
      this.sid = cleared ? undefined : value.join("=");
    }
    if (typeof reply.body?.csrfToken === "string") this.csrfToken = reply.body.csrfToken;
    return reply;
  }

  get = (path: string) => this.send("GET", path);
  post = (path: string, json?: unknown) => this.send("POST", path, json ?? {});
  put = (path: string, json?: unknown) => this.send("PUT", path, json ?? {});
  del = (path: string) => this.send("DELETE", path);

  async login(email: string, password: string): Promise<HttpReply> {
    return this.post("/login", { email, password });
  }
}
