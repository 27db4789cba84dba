import { Client } from "pg";
import { getContainerRuntimeClient, ImageName } from "testcontainers";
import { because } from "../src";
import { defaultImages } from "../src/providers/docker-defaults";
import { DockerProvider, initializedPostgresImage } from "../src/providers/docker";
import { describeProviderContract } from "./provider-contract";

// Needs a Docker engine; where no registry is reachable, images built by
// scripts/build-service-images.sh and named by SANDBOX_REDIS_IMAGE / SANDBOX_POSTGRES_IMAGE.
describe("docker provider", () => {
  describeProviderContract(() => new DockerProvider());

  it("starts Postgres from an image whose cluster was made once, not by an initdb per container", async () => {
    const image = await initializedPostgresImage(defaultImages.postgres());
    const client = await getContainerRuntimeClient();
    const imageMade = new Date((await client.image.inspect(ImageName.fromString(image))).Created);
    for (const neverRestarted of [true, false]) {
      const server = await new DockerProvider().startPostgres({ neverRestarted });
      const pg = new Client({ connectionString: server.url });
      await pg.connect();
      const { rows } = await pg.query(
        "SELECT (pg_stat_file('PG_VERSION')).modification AS made, pg_postmaster_start_time() AS started",
      );
      await pg.end();
      await server.dispose();
      const { made, started } = rows[0] as { made: Date; started: Date };
      because(
        `expected the cluster (PG_VERSION) made before ${image} was (${imageMade.toISOString()}), not at the start of this container (${started.toISOString()}); neverRestarted ${neverRestarted}`,
        () => {
          expect(made.getTime()).toBeLessThanOrEqual(imageMade.getTime());
          expect(started.getTime()).toBeGreaterThan(imageMade.getTime());
        },
      );
    }
  }, 120_000);
});
