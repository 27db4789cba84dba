import { createHash } from "node:crypto";
import {
  appendFileSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { CheckoutSeal } from "../src/run/checkout-seal";
import { REPO_ROOT } from "../src/repo-paths";
import { scratchDir } from "./run-sandbox";

const FILES = [
  "package.json",
  "package-lock.json",
  "node_modules/jest/index.js",
  "packages/testkit/src/preset.ts",
  "packages/grader/src/score.ts",
  "exercises/counter/test/basics.test.ts",
  "exercises/counter/.meta/exercise.json",
  "exercises/counter/.meta/hidden/basics.test.ts",
  "exercises/counter/src/counter.ts",
];

function checkout(): { root: string; file: (name: string) => string; seal: CheckoutSeal } {
  const root = scratchDir("seal");
  const file = (name: string) => path.join(root, name);
  for (const name of FILES) {
    mkdirSync(path.dirname(file(name)), { recursive: true });
    writeFileSync(file(name), `// ${name}\n`);
  }
  return {
    root,
    file,
    seal: CheckoutSeal.take({ repoRoot: root, exercisesDir: file("exercises") }),
  };
}

describe("the checkout seal", () => {
  it("finds nothing changed in an untouched checkout, or in a file touched without change", () => {
    const { file, seal } = checkout();
    expect(seal.size).toBe(FILES.length - 1);
    writeFileSync(file("packages/testkit/src/preset.ts"), "// packages/testkit/src/preset.ts\n");
    expect(seal.changes()).toEqual([]);
  });

  it("names a testkit file a submission appended to", () => {
    const { file, seal } = checkout();
    appendFileSync(file("packages/testkit/src/preset.ts"), "globalThis.expect = () => {};\n");
    expect(seal.changes()).toEqual(["packages/testkit/src/preset.ts (changed)"]);
  });

  it("decides on content: same size and a restored mtime still count as a change", () => {
    const { file, seal } = checkout();
    const target = file("exercises/counter/.meta/hidden/basics.test.ts");
    const before = statSync(target);
    writeFileSync(
      target,
      "// exercises/counter/.meta/hidden/XXXXXX.test.ts\n".slice(0, before.size),
    );
    utimesSync(target, before.atime, before.mtime);
    expect(seal.changes()).toEqual(["exercises/counter/.meta/hidden/basics.test.ts (changed)"]);
  });

  it("names files added and removed, in node_modules too, and ignores every src/", () => {
    const { file, seal } = checkout();
    writeFileSync(file("exercises/counter/test/extra.test.ts"), "it('passes', () => {});\n");
    rmSync(file("node_modules/jest/index.js"));
    writeFileSync(file("exercises/counter/src/counter.ts"), "export const anything = 1;\n");
    writeFileSync(file("exercises/counter/src/new.ts"), "export {};\n");
    expect(seal.changes()).toEqual([
      "exercises/counter/test/extra.test.ts (added)",
      "node_modules/jest/index.js (removed)",
    ]);
  });

  it("covers hidden tests kept outside the checkout (--hidden-dir)", () => {
    const { file } = checkout();
    const hiddenRoot = scratchDir("seal-hidden");
    mkdirSync(path.join(hiddenRoot, "counter"));
    writeFileSync(path.join(hiddenRoot, "counter/basics.test.ts"), "it('checks', () => {});\n");
    const seal = CheckoutSeal.take({
      repoRoot: file(""),
      exercisesDir: file("exercises"),
      hiddenRoot,
    });
    writeFileSync(path.join(hiddenRoot, "counter/basics.test.ts"), "it('passes', () => {});\n");
    expect(seal.changes()).toEqual([
      `${path.join(hiddenRoot, "counter/basics.test.ts")} (changed)`,
    ]);
  });

  describe("with the hashes kept from one session to the next", () => {
    const cacheOf = (file: string) =>
      JSON.parse(readFileSync(file, "utf8")) as { files: Record<string, [string, string]> };
    const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

    it("reuses a recorded hash while the file's stat is unchanged, and reads a changed file again", () => {
      const { root, file } = checkout();
      const roots = { repoRoot: root, exercisesDir: file("exercises") };
      const hashCacheFile = file(".sandbox/cache/checkout-seal.json");
      CheckoutSeal.take(roots, { hashCacheFile });
      const first = cacheOf(hashCacheFile);
      const hidden = file("exercises/counter/.meta/hidden/basics.test.ts");
      const preset = file("packages/testkit/src/preset.ts");
      expect(Object.keys(first.files)).toHaveLength(FILES.length - 1);
      expect(first.files[hidden]![1]).toBe(
        sha256("// exercises/counter/.meta/hidden/basics.test.ts\n"),
      );

      // A recorded hash is trusted while the stat matches: mark one to see it reused, not read.
      first.files[preset]![1] = "recorded";
      writeFileSync(hashCacheFile, JSON.stringify({ version: 1, files: first.files }));
      writeFileSync(hidden, "it('passes', () => {});\n"); // between sessions: a new stat
      const seal = CheckoutSeal.take(roots, { hashCacheFile });
      const second = cacheOf(hashCacheFile);
      expect(second.files[preset]![1]).toBe("recorded");
      expect(second.files[hidden]![1]).toBe(sha256("it('passes', () => {});\n"));

      // During the session, any write moves the stat: the file is read and compared as before.
      writeFileSync(preset, "// packages/testkit/src/preset.ts\n");
      expect(seal.changes()).toEqual(["packages/testkit/src/preset.ts (changed)"]);
    });

    it("reads every file when the recorded hashes are damaged or missing", () => {
      const { root, file } = checkout();
      const hashCacheFile = file(".sandbox/cache/checkout-seal.json");
      mkdirSync(path.dirname(hashCacheFile), { recursive: true });
      writeFileSync(hashCacheFile, "{ not json");
      const seal = CheckoutSeal.take(
        { repoRoot: root, exercisesDir: file("exercises") },
        { hashCacheFile },
      );
      expect(seal.size).toBe(FILES.length - 1);
      expect(Object.keys(cacheOf(hashCacheFile).files)).toHaveLength(FILES.length - 1);
      appendFileSync(file("node_modules/jest/index.js"), "// more\n");
      expect(seal.changes()).toEqual(["node_modules/jest/index.js (changed)"]);
    });
  });

  it("checks this whole checkout, node_modules included, in well under a second", () => {
    const seal = CheckoutSeal.take({
      repoRoot: REPO_ROOT,
      exercisesDir: path.join(REPO_ROOT, "exercises"),
    });
    // CPU time, not wall time: the machine may be shared with other runs.
    const started = process.cpuUsage();
    const changes = seal.changes();
    const used = process.cpuUsage(started);
    const elapsed = (used.user + used.system) / 1000;
    expect(changes).toEqual([]);
    expect(seal.size).toBeGreaterThan(1_000);
    expect(elapsed).toBeLessThan(800);
  });
});
