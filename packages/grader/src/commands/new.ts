import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { addToCatalog, CATALOG_FILE } from "../exercise/catalog";
import { writeStubDigest } from "../exercise/stub-digest";
import { skeleton } from "../exercise/template";
import type { Places } from "../repo-paths";
import { UsageError } from "../terminal/usage-error";

/** `sandbox new <slug>`: writes an exercise skeleton that meets the contract and passes `verify`. */
export async function newCommand(places: Places, slug: string): Promise<number> {
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(slug))
    throw new UsageError(`"${slug}" is not a kebab-case slug, e.g. rate-limiting`);
  const dir = path.join(places.exercisesDir, slug);
  if (existsSync(dir)) throw new UsageError(`${dir} already exists`);
  const title = slug.replace(/-/g, " ").replace(/^./, (c) => c.toUpperCase());
  for (const [file, content] of Object.entries(skeleton(slug, title))) {
    const target = path.join(dir, file);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, content);
  }
  writeStubDigest(dir);
  addToCatalog(places.exercisesDir, slug);
  process.stdout.write(
    [
      `Created ${path.relative(process.cwd(), dir) || dir} with one example stage, last in ${CATALOG_FILE}.`,
      "Next: write the README, replace the example stage, then run:",
      "  npm install            (links the new workspace)",
      `  npx sandbox verify ${slug}`,
      "",
    ].join("\n"),
  );
  return 0;
}
