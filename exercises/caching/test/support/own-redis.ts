import { onCleanup, startRedis, type ServiceHandle } from "@backend-sandbox/testkit";
import { Redis } from "ioredis";

/** A Redis of the test file's own (`redis`: pause, stop, start it) and a client to inspect it. */
export interface OwnRedis {
  redis: ServiceHandle;
  admin: Redis;
}

/**
 * Starts a Redis for this test file alone, once (beforeAll), and empties it before each test:
 * for tests that pause, stop or reconfigure Redis (ACL) or count its commands, which on the
 * shared Redis would disturb the other files or be disturbed by them. The fields are set once
 * beforeAll ran; read them inside tests and hooks.
 */
export function useOwnRedis(): OwnRedis {
  const own = {} as OwnRedis;
  beforeAll(async () => {
    own.redis = await startRedis();
    own.admin = new Redis(own.redis.url, { maxRetriesPerRequest: 2 });
    onCleanup(() => own.admin.disconnect()); // before the file's Redis goes away
  }, 30_000); // a container of its own to start
  beforeEach(() => own.admin.flushdb());
  return own;
}
