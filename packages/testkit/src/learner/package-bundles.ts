import { createHash } from "node:crypto";
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from "node:fs";
import path from "node:path";

/**
 * The packages a learner's process loads from one bundled file each. A learner's process starts
 * for every test file, often several, and loads express, ioredis and pg: 217 modules file by
 * file, each resolved, read and compiled. One file each saves about 15% of the process's CPU
 * (docs/performance.md). Only packages checked to work bundled are listed: one that reads files
 * beside its own code at run time, or loads a native addon, would break.
 */
export const BUNDLED_PACKAGES: readonly string[] = ["express", "ioredis", "pg"];

/** Optional packages the bundled ones require only when asked to (pg's `native`): left out. */
const NOT_BUNDLED = ["pg-native"];

/** Changes whenever the bundles' shape changes, so that old ones are not reused. */
const BUNDLE_FORMAT = 1;

/** Set to `0`, every package loads file by file, as Node does (to rule the bundles out). */
export const PACKAGE_BUNDLES_ENV = "SANDBOX_PACKAGE_BUNDLES";

/** Where bundles are kept: `.sandbox/cache/learner-packages` at the repository root (git ignores it). */
export const PACKAGE_BUNDLES_DIR = path.resolve(
  __dirname,
  "../../../..",
  ".sandbox",
  "cache",
  "learner-packages",
);

const made = new Map<string, string | null>();

/**
 * The bundled file of each of `dependencies` (package names) in BUNDLED_PACKAGES, as the
 * learner's code would resolve it from `exerciseDir`: `{ express: "<dir>/<key>/express.js" }`.
 * A bundle is made once with esbuild (CommonJS, Node, names kept) and reused while the installed
 * tree is the same: its folder's name hashes the install's path and the stat of npm's record of
 * what it holds (`node_modules/.package-lock.json`, else `package-lock.json`; npm writes it anew
 * on every install, and a stat costs each test file less than reading 340 KB). A package that
 * cannot be resolved or bundled, or an install without either record, is left out, and so is
 * every one when SANDBOX_PACKAGE_BUNDLES is `0`: its process loads it file by file, as Node does.
 * Never throws.
 */
export function packageBundles(
  dependencies: readonly string[],
  exerciseDir: string,
  bundlesDir = PACKAGE_BUNDLES_DIR,
): Record<string, string> {
  const bundles: Record<string, string> = {};
  if (process.env[PACKAGE_BUNDLES_ENV] === "0") return bundles;
  for (const name of dependencies.filter((dependency) => BUNDLED_PACKAGES.includes(dependency))) {
    const file = bundleOf(name, exerciseDir, bundlesDir);
    if (file) bundles[name] = file;
  }
  return bundles;
}

function bundleOf(name: string, exerciseDir: string, bundlesDir: string): string | undefined {
  let entry: string;
  try {
    entry = require.resolve(name, { paths: [exerciseDir] });
  } catch {
    return undefined;
  }
  const memo = `${bundlesDir}\0${entry}`;
  if (!made.has(memo)) made.set(memo, makeBundle(name, entry, bundlesDir));
  return made.get(memo) ?? undefined;
}

const installKeys = new Map<string, string | null>();

/**
 * The name of the bundles' folder for the install whose node_modules holds `entry`: a hash of
 * the install's path and the inode, size and modification time of npm's record of what it holds,
 * or null without such a record.
 */
function installKey(entry: string): string | null {
  const at = entry.lastIndexOf(`${path.sep}node_modules${path.sep}`);
  if (at < 0) return null;
  const root = entry.slice(0, at);
  if (!installKeys.has(root)) {
    const record = [
      path.join(root, "node_modules", ".package-lock.json"),
      path.join(root, "package-lock.json"),
    ].find((file) => existsSync(file));
    // esbuild's version from its package.json: esbuild itself loads only to make a bundle.
    const { version } = require("esbuild/package.json") as { version: string };
    const hash = () => {
      const { ino, size, mtimeMs } = statSync(record!);
      return createHash("sha256")
        .update(JSON.stringify([BUNDLE_FORMAT, version, root, ino, size, mtimeMs]))
        .digest("hex")
        .slice(0, 16);
    };
    installKeys.set(root, record ? hash() : null);
  }
  return installKeys.get(root)!;
}

function makeBundle(name: string, entry: string, bundlesDir: string): string | null {
  try {
    // One folder per install: a sealed process gets it read-only, all its bundles at once.
    const key = installKey(entry);
    if (key === null) return null;
    const file = path.join(bundlesDir, key, `${name.replace("/", "+")}.js`);
    if (existsSync(file)) return file;
    mkdirSync(path.dirname(file), { recursive: true });
    // Written aside, then renamed: processes of other test files may make the same bundle now.
    const partial = `${file}.${process.pid}.partial`;
    try {
      const esbuild = require("esbuild") as typeof import("esbuild");
      esbuild.buildSync({
        entryPoints: [entry],
        outfile: partial,
        bundle: true,
        platform: "node",
        format: "cjs",
        // esbuild renames a module's top-level names that clash with another's; keeping them keeps
        // each class's and function's `name`, which errors and logs show.
        keepNames: true,
        external: NOT_BUNDLED,
        logLevel: "silent",
      });
      renameSync(partial, file);
    } finally {
      rmSync(partial, { force: true });
    }
    return file;
  } catch {
    return null;
  }
}
