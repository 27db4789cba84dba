// What the docker provider needs to know that does not need Testcontainers loaded: the testkit
// loads Testcontainers only when the docker provider really runs, which saves every test file
// the time it takes to import.
import images from "../../service-images.json";

/** The label that marks every container we start, so that a sweep can find leftovers. */
export const SESSION_LABEL = "org.backend-sandbox.session";
/** Its value: one per run when the caller names the run (CI, the grader), else this process. */
export const sessionId = () => process.env.SANDBOX_SESSION_ID ?? String(process.pid);

/**
 * The image tags, written once in service-images.json: `official` (Docker Hub, the default) and
 * `offline` (built from Debian packages by scripts/build-service-images.sh, for machines with no
 * registry; .ci/run and `sandbox doctor` name them from the same file).
 */
export const SERVICE_IMAGES = images as {
  official: Record<"redis" | "postgres", string>;
  offline: Record<"redis" | "postgres", string>;
};

export const defaultImages = {
  redis: () => process.env.SANDBOX_REDIS_IMAGE ?? SERVICE_IMAGES.official.redis,
  postgres: () => process.env.SANDBOX_POSTGRES_IMAGE ?? SERVICE_IMAGES.official.postgres,
};

/** Marks the containers of this process alone, so its reaper can find even half-created ones. */
export const OWNER_LABEL = "org.backend-sandbox.owner";
export const ownerId = `${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
