import { execFileSync } from "node:child_process";
import path from "node:path";

// In a Node process of its own: what useCompileCache() turns on, for it and for its children.
const cacheIn = (env: Record<string, string>) =>
  JSON.parse(
    execFileSync(
      process.execPath,
      [
        "-e",
        `const { useCompileCache } = require(${JSON.stringify(path.join(__dirname, "../compile-cache.js"))});
         const returned = useCompileCache() ?? null;
         const child = require("node:child_process").execFileSync(process.execPath,
           ["-p", "process.env.NODE_COMPILE_CACHE ?? null"], { encoding: "utf8" }).trim();
         console.log(JSON.stringify({ returned, active: require("node:module").getCompileCacheDir() ?? null, child }));`,
      ],
      { env: { PATH: process.env.PATH!, ...env }, encoding: "utf8" },
    ),
  ) as { returned: string | null; active: string | null; child: string };

describe("useCompileCache", () => {
  const repoCache = path.resolve(__dirname, "../../../.sandbox/cache/node");

  it("turns Node's compile cache on in .sandbox/cache/node, for the process and the processes it starts", () => {
    const seen = cacheIn({});
    expect(seen.returned).toBe(repoCache);
    expect(seen.active?.startsWith(repoCache)).toBe(true); // Node adds a folder per version
    expect(seen.child).toBe(repoCache);
  });

  it("keeps a NODE_COMPILE_CACHE already set, and stays off with NODE_DISABLE_COMPILE_CACHE", () => {
    const dir = path.join(repoCache, "..", "elsewhere");
    expect(cacheIn({ NODE_COMPILE_CACHE: dir }).child).toBe(dir);
    expect(cacheIn({ NODE_DISABLE_COMPILE_CACHE: "1" })).toEqual({
      returned: null,
      active: null,
      child: "null",
    });
  });
});
