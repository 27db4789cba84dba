import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { processPackage } from "../process-packages";
import { runScratchDir } from "./run-scratch";
import { transformName } from "./transforms-ahead";

/** Files larger, or beyond this many in a folder tree, are left to tsx in the learner's process. */
const MAX_FILE_BYTES = 512 * 1024;
const MAX_FILES = 200;

/** The testkit's own code a learner's process loads (host.ts and what it imports). */
const HOST_DIR = __dirname;

/**
 * Compiles, ahead of a learner's process, each `.ts` file of `sourceDir` (the code under test,
 * folders below included but `node_modules`) and of the testkit's learner host that the run's
 * folder of transforms made ahead lacks (transforms-ahead.js). Resolves to that folder, or
 * undefined outside a test run with a scratch folder. esbuild as tsx calls it (CommonJS for Node,
 * names kept, whitespace removed), with an inline source map naming the file by its base name, so
 * that stack traces show the TypeScript lines. A file esbuild refuses, or one that uses
 * `import.meta` or `import()` (tsx rewrites those for CommonJS), is skipped: tsx compiles it in
 * the learner's process, and reports its errors there as it always did. Never throws.
 */
export async function makeTransformsAhead(sourceDir: string): Promise<string | undefined> {
  const scratch = runScratchDir();
  if (!scratch) return undefined;
  const out = path.join(scratch, "transforms");
  try {
    mkdirSync(out, { recursive: true });
    chmodSync(out, 0o755); // a sealed process reads it as a user of its own
    const files = [...typeScriptFiles(HOST_DIR, false), ...typeScriptFiles(sourceDir, true)];
    await Promise.all(files.map((file) => transformAhead(file, out)));
  } catch {
    // What could not be made ahead, tsx makes in the learner's process.
  }
  return out;
}

/**
 * What this process did or does for each file, by folder of transforms, path and stat: a test
 * file may start several learner's processes, at once too, and the host's files never change, so
 * each start reads and hashes only what is new or changed since, and waits for what is under way.
 */
const dealtWith = new Map<string, Promise<void>>();

function transformAhead(file: string, out: string): Promise<void> {
  let key: string;
  try {
    const stat = statSync(file);
    if (stat.size > MAX_FILE_BYTES) return Promise.resolve();
    key = `${out}\0${file}\0${stat.size}:${stat.mtimeMs}:${stat.ctimeMs}`;
  } catch {
    return Promise.resolve();
  }
  let done = dealtWith.get(key);
  if (!done) dealtWith.set(key, (done = transformFile(file, out)));
  return done;
}

async function transformFile(file: string, out: string): Promise<void> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return;
  }
  if (text.includes("import.meta")) return;
  const target = path.join(out, transformName(file, text));
  if (existsSync(target)) return;
  try {
    const { code } = await processPackage("esbuild").transform(text, {
      loader: "ts",
      format: "cjs",
      platform: "node",
      target: `node${process.versions.node}`,
      sourcemap: "inline",
      sourcesContent: false,
      sourcefile: path.basename(file),
      minifyWhitespace: true,
      keepNames: true,
    });
    // A dynamic import left after the types are gone (tsx rewrites it for CommonJS).
    if (/\bimport\s*\(/.test(code)) return;
    // Written aside, then renamed: other processes of the run may make the same file now.
    const aside = `${target}.${process.pid}`;
    writeFileSync(aside, code);
    chmodSync(aside, 0o644);
    renameSync(aside, target);
  } catch {
    // tsx compiles it in the learner's process, and says what is wrong with it there.
  }
}

/** `.ts` files below `dir` (`deep`: in folders below too, but `node_modules`), not `.d.ts`. */
function typeScriptFiles(dir: string, deep: boolean): string[] {
  const found: string[] = [];
  const walk = (folder: string) => {
    let entries;
    try {
      entries = readdirSync(folder, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (found.length >= MAX_FILES) return;
      const file = path.join(folder, entry.name);
      if (entry.isDirectory()) {
        if (deep && entry.name !== "node_modules" && !entry.name.startsWith(".")) walk(file);
      } else if (entry.isFile() && entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts"))
        found.push(file);
    }
  };
  walk(dir);
  return found;
}
