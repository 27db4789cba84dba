/**
 * The shape every service provider implements. A provider starts one Redis or Postgres server and
 * hands back a handle that can inject faults into it; the handle's URL stays the same across
 * stop/start so that clients configured once can reconnect by themselves.
 */
export type ProviderName = "docker" | "native" | "external";
export type ServiceKind = "redis" | "postgres";

export interface ServiceHandle {
  readonly kind: ServiceKind;
  /** `redis://host:port` or `postgres://user:password@host:port/database`. */
  readonly url: string;
  /** Stops the server; connections are refused until `start()`. */
  stop(): Promise<void>;
  /** Starts a stopped server again on the same address. */
  start(): Promise<void>;
  /** Freezes the server: connections stay open but nothing answers (a network partition). */
  pause(): Promise<void>;
  resume(): Promise<void>;
  /** Ends the server for good and removes everything it left behind. */
  dispose(): Promise<void>;
}

export interface PostgresOptions {
  /**
   * The caller never stops and restarts this server (the shared services of a run, the warm
   * services), so a provider may keep its data where a restart loses it but files cost less:
   * Docker's tmpfs. Servers for fault injection are stopped and started, and never get this.
   */
  neverRestarted?: boolean;
}

export interface Provider {
  readonly name: ProviderName;
  startRedis(): Promise<ServiceHandle>;
  startPostgres(options?: PostgresOptions): Promise<ServiceHandle>;
}

/** Raised when a provider cannot do what it was asked; the message says how to fix it. */
export class ServiceError extends Error {
  override name = "ServiceError";
}

/**
 * Arguments for every Redis server a provider starts: 64 logical databases rather than Redis's
 * 16, since each test file holds one alone while it runs (redis-databases.ts), and a file waits
 * when all are held: with 63, verify's four gradings at once never wait.
 */
export const TEST_REDIS_DATABASES = 64;
export const TEST_REDIS_ARGUMENTS = ["--databases", String(TEST_REDIS_DATABASES)];

/**
 * Server settings for throwaway test data, used by every provider that starts Postgres:
 * durability is pointless there, and turning it off makes writes much faster.
 */
export const TEST_POSTGRES_SETTINGS = [
  "fsync=off",
  "synchronous_commit=off",
  "full_page_writes=off",
  "max_connections=300",
].flatMap((setting) => ["-c", setting]);
