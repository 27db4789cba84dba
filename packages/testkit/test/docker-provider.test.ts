import { DockerProvider } from "../src/providers/docker";
import { describeProviderContract } from "./provider-contract";

// Needs a Docker engine; where no registry is reachable, images built by
// scripts/build-service-images.sh and named by SANDBOX_REDIS_IMAGE / SANDBOX_POSTGRES_IMAGE.
describe("docker provider", () => {
  describeProviderContract(() => new DockerProvider());
});
