import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { BUNDLED_PACKAGES, packageBundles } from "../src/learner/package-bundles";

const exerciseDir = path.join(__dirname, "fixtures/learner-exercise");
let bundlesDir: string;
beforeAll(() => {
  bundlesDir = mkdtempSync(path.join(os.tmpdir(), "sandbox-bundles-"));
});
afterAll(() => rmSync(bundlesDir, { recursive: true, force: true }));

/** What a bundle exports, read by a plain Node process (as a learner's loads it, not Jest's registry). */
const exportsOf = (file: string) =>
  execFileSync(
    process.execPath,
    [
      "-p",
      `const m = require(${JSON.stringify(file)}); JSON.stringify([typeof m, Object.keys(m).sort()])`,
    ],
    { encoding: "utf8" },
  );

describe("packageBundles", () => {
  it("bundles express, ioredis and pg into one folder of one file each, which export what the packages do", () => {
    const bundles = packageBundles(["express", "ioredis", "pg"], exerciseDir, bundlesDir);
    expect(Object.keys(bundles)).toEqual(["express", "ioredis", "pg"]);
    const [folder] = readdirSync(bundlesDir);
    for (const name of BUNDLED_PACKAGES) {
      expect(bundles[name]).toBe(path.join(bundlesDir, folder!, `${name}.js`));
      const original = require.resolve(name, { paths: [exerciseDir] });
      expect(exportsOf(bundles[name]!)).toBe(exportsOf(original));
    }
  });

  it("makes a bundle once and hands the same file to every later call", () => {
    const first = packageBundles(["pg"], exerciseDir, bundlesDir).pg!;
    const made = statSync(first).mtimeMs;
    expect(packageBundles(["pg"], exerciseDir, bundlesDir).pg).toBe(first);
    expect(statSync(first).mtimeMs).toBe(made);
    expect(readdirSync(path.dirname(first)).filter((name) => name.endsWith(".partial"))).toEqual(
      [],
    );
  });

  it("reuses a bundle made by an earlier process, and makes new ones after a new install", () => {
    const install = mkdtempSync(path.join(os.tmpdir(), "sandbox-install-"));
    try {
      const pkg = path.join(install, "node_modules", "pg");
      mkdirSync(pkg, { recursive: true });
      writeFileSync(path.join(pkg, "package.json"), '{ "name": "pg", "main": "index.js" }');
      writeFileSync(path.join(pkg, "index.js"), "module.exports = { install: 1 };");
      const record = path.join(install, "node_modules", ".package-lock.json");
      writeFileSync(record, "{}");
      // Each in a process of its own, as each test file's is: nothing remembered in memory.
      const bundleInNewProcess = () =>
        execFileSync(
          process.execPath,
          [
            "--require",
            require.resolve("tsx/cjs"),
            "-p",
            `require(${JSON.stringify(path.join(__dirname, "../src/learner/package-bundles.ts"))}).packageBundles(["pg"], ${JSON.stringify(install)}, ${JSON.stringify(bundlesDir)}).pg`,
          ],
          { encoding: "utf8" },
        ).trim();
      const first = bundleInNewProcess();
      const made = statSync(first).mtimeMs;
      expect(bundleInNewProcess()).toBe(first);
      expect(statSync(first).mtimeMs).toBe(made);

      // npm writes its record anew on every install, even with the same text.
      writeFileSync(path.join(pkg, "index.js"), "module.exports = { install: 2 };");
      writeFileSync(record, "{}");
      const next = bundleInNewProcess();
      expect(path.dirname(next)).not.toBe(path.dirname(first));
      expect(
        execFileSync(process.execPath, ["-p", `require(${JSON.stringify(next)}).install`], {
          encoding: "utf8",
        }).trim(),
      ).toBe("2");
    } finally {
      rmSync(install, { recursive: true, force: true });
    }
  });

  it("leaves out packages not on its list and packages that do not resolve", () => {
    expect(
      Object.keys(packageBundles(["express", "jest", "no-such-package"], exerciseDir, bundlesDir)),
    ).toEqual(["express"]);
  });

  it("leaves out an install without npm's record of it (a lockfile), which it could not tell apart from the next", () => {
    const elsewhere = mkdtempSync(path.join(os.tmpdir(), "sandbox-install-"));
    try {
      const pkg = path.join(elsewhere, "node_modules", "pg");
      mkdirSync(pkg, { recursive: true });
      writeFileSync(
        path.join(pkg, "package.json"),
        JSON.stringify({ name: "pg", main: "index.js" }),
      );
      writeFileSync(path.join(pkg, "index.js"), "module.exports = {};");
      expect(packageBundles(["pg"], elsewhere, bundlesDir)).toEqual({});
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it("bundles nothing with SANDBOX_PACKAGE_BUNDLES=0", () => {
    process.env.SANDBOX_PACKAGE_BUNDLES = "0";
    try {
      expect(packageBundles(["express"], exerciseDir, bundlesDir)).toEqual({});
    } finally {
      delete process.env.SANDBOX_PACKAGE_BUNDLES;
    }
  });
});
