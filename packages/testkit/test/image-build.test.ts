import { mkdtempSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { imageBuildEnded, IMAGE_BUILD_STATUS_VARIABLE } from "../src/providers/image-build";

// The wait of the docker provider for a build of the images beside it (.ci/run's background build).
const dir = mkdtempSync(path.join(tmpdir(), "image-build-"));
const envFor = (file: string) => ({ [IMAGE_BUILD_STATUS_VARIABLE]: path.join(dir, file) });
/** Writes a status as the build does: whole, by a rename. */
const writeStatus = (file: string, status: string) => {
  writeFileSync(path.join(dir, `${file}.tmp`), `${status}\n`);
  renameSync(path.join(dir, `${file}.tmp`), path.join(dir, file));
};

describe("imageBuildEnded", () => {
  it("resolves at once when no build is named", async () => {
    await expect(imageBuildEnded({})).resolves.toBeUndefined();
  });

  it("waits for the build's status, then resolves on 0", async () => {
    let done = false;
    const wait = imageBuildEnded(envFor("ok")).then(() => (done = true));
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(done).toBe(false);
    writeStatus("ok", "0");
    await wait;
    expect(done).toBe(true);
  });

  it("rejects with the status of a failed build", async () => {
    writeStatus("failed", "1");
    await expect(imageBuildEnded(envFor("failed"))).rejects.toThrow(
      /the service images' build failed \(exit status 1/,
    );
  });

  it("rejects when no status comes in time, naming the variable", async () => {
    await expect(imageBuildEnded(envFor("never"), 600)).rejects.toThrow(
      /timed out after 600 ms waiting for the status .* SANDBOX_IMAGE_BUILD_STATUS names .*never/,
    );
  });
});
