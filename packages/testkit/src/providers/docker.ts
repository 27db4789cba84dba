import { createHash } from "node:crypto";
import type { StartedTestContainer } from "testcontainers";
import { freePort } from "../free-port";
import { Reaper } from "../reaper";
import { waitUntilReady } from "../readiness";
import { defaultImages, OWNER_LABEL, ownerId, SESSION_LABEL, sessionId } from "./docker-defaults";
import { imageBuildEnded } from "./image-build";
import {
  TEST_POSTGRES_SETTINGS,
  TEST_REDIS_ARGUMENTS,
  type PostgresOptions,
  type Provider,
  type ServiceHandle,
  type ServiceKind,
} from "./provider";
import { processPackage } from "../process-packages";

// Testcontainers comes from the process's one copy, not this module registry's (Jest's): see
// process-packages.ts.
const { testcontainers, postgresql, redis } = processPackage("testcontainers");
const { GenericContainer, getContainerRuntimeClient, ImageName, Wait } = testcontainers;
const { PostgreSqlContainer } = postgresql;
const { RedisContainer } = redis;

/** Labels a new container and makes sure the reaper removes it even if we die while it starts. */
function labels(): Record<string, string> {
  Reaper.forThisProcess().track({ label: `${OWNER_LABEL}=${ownerId}` });
  return { [SESSION_LABEL]: sessionId(), [OWNER_LABEL]: ownerId };
}

type HealthCheckTest = Parameters<
  InstanceType<typeof PostgreSqlContainer>["withHealthCheck"]
>[0]["test"];
/** Docker's own way to turn a health check off; Testcontainers' type omits it. */
const NO_HEALTH_CHECK = { test: ["NONE"] as unknown as HealthCheckTest };

/** The Postgres role, its password and database: set on the container and read by its readiness check. */
const PG = { user: "test", password: "test", database: "test" };

/** The readiness check @testcontainers/postgresql runs, for PG's role and database. */
const PG_READY = `PGPASSWORD=${PG.password} pg_isready --host localhost --username ${PG.user} --dbname ${PG.database}`;

/** Where an initialized image keeps its cluster; copied into PGDATA at a container's first start. */
const INITIALIZED_DATA = "/var/lib/postgresql/initialized";
/** The data folder of every container we start: the image's VOLUME, or a tmpfs mounted on it. */
const DATA = "/var/lib/postgresql/data";
/**
 * The entrypoint of a container of an initialized image: the cluster copied into an empty PGDATA
 * (a restart finds its own data there and keeps it), then the image's own entrypoint, which finds
 * PG_VERSION and skips initdb.
 */
const COPY_THEN_ENTRYPOINT = `[ -s "$PGDATA/PG_VERSION" ] || cp -a ${INITIALIZED_DATA}/. "$PGDATA"/; exec docker-entrypoint.sh "$@"`;
/** Bumped when what an initialized image holds changes, so that older ones are not used. */
const INITIALIZED_VERSION = 1;

const initializedImages = new Map<string, Promise<string>>();

/**
 * The tag of an image of `base` with a Postgres cluster already made in INITIALIZED_DATA (PG's
 * role, password and database), made once per machine and base image and then reused:
 * `backend-sandbox/postgres-initialized:<hash of the base image's id and of PG>`. The official
 * image's entrypoint runs initdb and a temporary server at every container's first start, about
 * 3 CPU-seconds; a container of this image copies the cluster (docs/performance.md). Processes
 * that find no such image at the same time each make it; the last tag wins, and all are alike.
 */
export function initializedPostgresImage(base: string): Promise<string> {
  let image = initializedImages.get(base);
  if (!image) {
    image = makeInitializedImage(base);
    image.catch(() => initializedImages.delete(base)); // the next start tries again
    initializedImages.set(base, image);
  }
  return image;
}

async function makeInitializedImage(base: string): Promise<string> {
  await imageBuildEnded();
  const client = await getContainerRuntimeClient();
  if (!(await client.image.exists(ImageName.fromString(base))))
    await client.image.pull(ImageName.fromString(base));
  const { Id } = await client.image.inspect(ImageName.fromString(base));
  const key = createHash("sha256")
    .update(JSON.stringify([Id, PG, INITIALIZED_VERSION]))
    .digest("hex")
    .slice(0, 16);
  const repo = "backend-sandbox/postgres-initialized";
  if (await client.image.exists(ImageName.fromString(`${repo}:${key}`))) return `${repo}:${key}`;
  const container = await new GenericContainer(base)
    .withLabels(labels())
    .withEnvironment({
      POSTGRES_USER: PG.user,
      POSTGRES_PASSWORD: PG.password,
      POSTGRES_DB: PG.database,
      // initdb's final fsync of a fresh cluster costs seconds and buys nothing for test data.
      POSTGRES_INITDB_ARGS: "--no-sync",
      PGDATA: INITIALIZED_DATA,
    })
    .withCommand(["postgres", ...TEST_POSTGRES_SETTINGS])
    .withHealthCheck(NO_HEALTH_CHECK)
    .withWaitStrategy(Wait.forSuccessfulCommand(PG_READY))
    .start();
  try {
    // A clean shutdown first, so that a container of the image starts without crash recovery.
    await container.stop({ remove: false, timeout: 30 });
    await container.commit({
      repo,
      tag: key,
      deleteOnExit: false,
      changes: [`LABEL ${SESSION_LABEL}=`, `LABEL ${OWNER_LABEL}=`, `ENV PGDATA=${DATA}`],
    });
  } finally {
    await client.container
      .getById(container.getId())
      .remove({ force: true, v: true })
      .catch(() => {});
  }
  return `${repo}:${key}`;
}

/** Runs Redis and Postgres in containers through Testcontainers. */
export class DockerProvider implements Provider {
  readonly name = "docker";

  async startRedis(): Promise<ServiceHandle> {
    // A fixed host port (rather than a random mapping) keeps the URL valid across stop/start.
    await imageBuildEnded();
    const port = await freePort();
    const container = await new RedisContainer(defaultImages.redis())
      .withExposedPorts({ container: 6379, host: port })
      .withLabels(labels())
      .withCommand(["redis-server", ...TEST_REDIS_ARGUMENTS])
      .start();
    return ContainerService.adopt("redis", container, `redis://${container.getHost()}:${port}`);
  }

  async startPostgres(options: PostgresOptions = {}): Promise<ServiceHandle> {
    const port = await freePort();
    let definition = new PostgreSqlContainer(
      await initializedPostgresImage(defaultImages.postgres()),
    )
      .withEntrypoint(["/bin/sh", "-c", COPY_THEN_ENTRYPOINT, "sh"])
      .withExposedPorts({ container: 5432, host: port })
      .withLabels(labels())
      .withUsername(PG.user)
      .withPassword(PG.password)
      .withDatabase(PG.database)
      .withCommand(["postgres", ...TEST_POSTGRES_SETTINGS])
      // The module's readiness check is a Docker HEALTHCHECK, run every 250 ms for as long as the
      // container lives: a `docker exec` of pg_isready each time (runc, containerd's shim, a
      // shell), a quarter of a core per idle container (docs/performance.md). The same pg_isready
      // is polled here only until the server answers, and Docker runs no health check.
      .withHealthCheck(NO_HEALTH_CHECK)
      .withWaitStrategy(
        Wait.forAll([Wait.forSuccessfulCommand(PG_READY), Wait.forListeningPorts()]),
      );
    // On a disk each file Postgres creates costs ~0.3 ms: a CREATE DATABASE per test file took
    // ~120 ms in the image's volume (docs/architecture.md). A tmpfs is emptied when the container
    // stops, so only a server that is never restarted gets one.
    if (options.neverRestarted) definition = definition.withTmpFs({ [DATA]: "rw" });
    const container = await definition.start();
    const url = `postgres://${container.getUsername()}:${container.getPassword()}@${container.getHost()}:${port}/${container.getDatabase()}`;
    return ContainerService.adopt("postgres", container, url);
  }
}

class ContainerService implements ServiceHandle {
  private constructor(
    readonly kind: ServiceKind,
    readonly url: string,
    private readonly container: StartedTestContainer,
  ) {}

  static adopt(kind: ServiceKind, container: StartedTestContainer, url: string): ContainerService {
    Reaper.forThisProcess().track({ container: container.getId() });
    return new ContainerService(kind, url, container);
  }

  private async docker() {
    const client = await getContainerRuntimeClient();
    return client.container.getById(this.container.getId());
  }

  async stop(): Promise<void> {
    await (await this.docker()).stop({ t: 1 });
  }

  async start(): Promise<void> {
    await (await this.docker()).start();
    await waitUntilReady(this.kind, this.url);
  }

  async pause(): Promise<void> {
    const container = await this.docker();
    // The cgroup freezer can give up ("unable to freeze") on a loaded machine; it works on retry.
    for (let attempt = 1; ; attempt++) {
      try {
        return await container.pause();
      } catch (error) {
        if (attempt >= 5 || !/unable to freeze/i.test(String(error))) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
      }
    }
  }

  async resume(): Promise<void> {
    await (await this.docker()).unpause();
  }

  async dispose(): Promise<void> {
    const container = await this.docker();
    await container.remove({ force: true, v: true }).catch(() => {});
    Reaper.forThisProcess().untrack({ container: this.container.getId() });
  }
}
