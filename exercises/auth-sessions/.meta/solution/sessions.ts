// Server-side sessions in Redis (OWASP Session Management Cheat Sheet): the cookie holds only an
// opaque random id; Redis holds the session under the id's SHA-256, so a dump of Redis hands out
// no cookie, and every app instance reads the same sessions.
import { createHash, randomBytes } from "node:crypto";
import type { Redis } from "ioredis";

export const IDLE_TIMEOUT_MS = 30 * 60_000;
export const ABSOLUTE_TIMEOUT_MS = 8 * 3_600_000;

export interface Session {
  /** The SHA-256 (hex) of the session id: what GET /sessions lists and DELETE /sessions/:id takes. */
  handle: string;
  userId: string;
  createdAt: number;
  lastSeenAt: number;
  csrfToken: string;
}

const sessionKey = (handle: string) => `session:${handle}`;
const userKey = (userId: string) => `user-sessions:${userId}`;
export const handleOf = (id: string) => createHash("sha256").update(id).digest("hex");

// Refreshes lastSeenAt only while the session exists: a bare HSET after a concurrent logout would
// bring back a fragment of the deleted session.
const TOUCH = `if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'lastSeenAt', ARGV[1]) end`;

export class SessionStore {
  constructor(
    private readonly redis: Redis,
    private readonly now: () => number,
  ) {}

  /** A new session with a fresh id (R2.1, R2.5) and CSRF token (R4.2); the id goes in the cookie. */
  async create(userId: string): Promise<{ id: string; session: Session }> {
    const id = randomBytes(32).toString("base64url");
    const now = this.now();
    const session = {
      handle: handleOf(id),
      userId,
      createdAt: now,
      lastSeenAt: now,
      csrfToken: randomBytes(32).toString("base64url"),
    };
    const { handle, ...fields } = session;
    await this.redis
      .multi()
      .hset(sessionKey(handle), fields)
      .pexpire(sessionKey(handle), ABSOLUTE_TIMEOUT_MS)
      .sadd(userKey(userId), handle)
      .exec();
    return { id, session };
  }

  /** The live session of a cookie's id, its lastSeenAt refreshed; expired ones are deleted (R2.3). */
  async use(id: string | undefined): Promise<Session | undefined> {
    // Any other string than a live session's id hashes to no session: no format check is needed.
    if (!id) return undefined;
    const session = await this.load(handleOf(id));
    if (session) {
      session.lastSeenAt = this.now();
      await this.redis.eval(TOUCH, 1, sessionKey(session.handle), session.lastSeenAt);
    }
    return session;
  }

  /** Every live session of a user, oldest first (R7.1). */
  async list(userId: string): Promise<Session[]> {
    const handles = await this.redis.smembers(userKey(userId));
    const sessions = await Promise.all(handles.map((handle) => this.load(handle)));
    return sessions.filter((s): s is Session => !!s).sort((a, b) => a.createdAt - b.createdAt);
  }

  async revoke(session: Pick<Session, "handle" | "userId">): Promise<void> {
    await this.redis
      .multi()
      .del(sessionKey(session.handle))
      .srem(userKey(session.userId), session.handle)
      .exec();
  }

  /** Deletes every session of a user (R5.5, R7.3). */
  async revokeAll(userId: string): Promise<void> {
    const handles = await this.redis.smembers(userKey(userId));
    await this.redis.del(...handles.map(sessionKey), userKey(userId));
  }

  private async load(handle: string): Promise<Session | undefined> {
    const fields = await this.redis.hgetall(sessionKey(handle));
    const session: Session = {
      handle,
      userId: fields.userId!,
      createdAt: Number(fields.createdAt),
      lastSeenAt: Number(fields.lastSeenAt),
      csrfToken: fields.csrfToken!,
    };
    // Live only while both timeouts lie ahead (R2.4). A session Redis does not have has no times
    // (NaN), and NaN lies ahead of nothing: an unknown id needs no check of its own.
    const now = this.now();
    if (now - session.lastSeenAt < IDLE_TIMEOUT_MS && now - session.createdAt < ABSOLUTE_TIMEOUT_MS)
      return session;
    await this.revoke(session);
    return undefined;
  }
}
