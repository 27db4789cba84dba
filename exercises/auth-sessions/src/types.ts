// The interface the tests rely on, field by field. Keep it as it is; the README's rules say what
// each route must answer.
import type { Redis } from "ioredis";
import type { Pool } from "pg";

/** scrypt's cost parameters (RFC 7914): CPU/memory cost N (a power of two), block size r, parallelism p. */
export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

export interface AppOptions {
  /** Users, organisations, reset tokens and notes. A pool of max 10; several apps share one database. */
  pg: Pool;
  /** Sessions and login throttling. Every app instance of one test shares one Redis database. */
  redis: Redis;
  /** The app's own origin, e.g. "https://app.example.test": what a browser sends as `Origin` (R4.1). */
  origin: string;
  /** Delivers a password-reset token to its user (stage 5). */
  sendResetEmail: (email: string, token: string) => Promise<void> | void;
  /** The clock, in ms since the epoch: timeouts, locks and expiries follow it. Default: Date.now. */
  now?: () => number;
  /** scrypt parameters for new hashes. Default (R1.3): { N: 131072, r: 8, p: 1 }. */
  scrypt?: ScryptParams;
  /** Where unexpected errors are reported (never to the client). Default: console.error. */
  onError?: (error: unknown) => void;
}
