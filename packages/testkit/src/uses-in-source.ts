// Where the code under test uses a function of a Node module, found by reading its source as
// TypeScript (nothing of it runs here): named imports (aliases included), destructuring, and
// member access such as `crypto.timingSafeEqual`. With an `owner` (say `Buffer`), only members of
// that object count: `Buffer.compare`, not `collator.compare`. For what a rule forbids the code to
// call; what it must call is better counted where it runs (`useLearner({ watch })`).
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type ts from "typescript";
import { learnerRun } from "./learner/learner-run";

const SOURCE_FILE = /\.(?:[cm]?ts|[cm]?js)$/;

/**
 * `file:line` of every use (outside its import or binding) of `name` from `moduleName` (e.g.
 * "node:crypto", "timingSafeEqual") in the code under test of this run (`dir`: its source folder,
 * src/ or what grading put in its place); with `owner`, of `owner.name` only (`owner` a global or
 * an export of the module, aliases included).
 */
export function usesInSource(
  moduleName: string,
  name: string,
  { owner, dir = learnerRun().sourceDir }: { owner?: string; dir?: string } = {},
): string[] {
  // Loaded here, not at the top: the testkit's index exports this function to every test file,
  // and loading TypeScript in each file's module registry cost about 0.3 s of CPU a file.
  const ts = require("typescript") as typeof import("typescript");
  const modules = new Set([moduleName, moduleName.replace(/^node:/, "")]);
  const uses: string[] = [];
  const files = readdirSync(dir, { recursive: true, encoding: "utf8" }).filter(
    (file) => SOURCE_FILE.test(file) && !file.endsWith(".d.ts"),
  );
  for (const file of files) {
    const text = readFileSync(path.join(dir, file), "utf8");
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    // Local names bound to the function: `import { name as local }`, `const { name: local } = ...`.
    const locals = new Set<string>();
    const declarations = new Set<ts.Node>();
    // Local names of the owner: itself (a global) and `import { owner as local }`.
    const owners = new Set(owner ? [owner] : []);
    const isOwner = (node: ts.Node): boolean =>
      (ts.isIdentifier(node) && owners.has(node.text)) ||
      (ts.isPropertyAccessExpression(node) && node.name.text === owner);
    const visitOwners = (node: ts.Node): void => {
      if (
        ts.isImportSpecifier(node) &&
        (node.propertyName ?? node.name).text === owner &&
        ts.isStringLiteral(node.parent.parent.parent.moduleSpecifier) &&
        modules.has(node.parent.parent.parent.moduleSpecifier.text)
      )
        owners.add(node.name.text);
      ts.forEachChild(node, visitOwners);
    };
    if (owner) visitOwners(source);
    const visitBindings = (node: ts.Node): void => {
      if (
        ts.isImportSpecifier(node) &&
        (node.propertyName ?? node.name).text === name &&
        ts.isStringLiteral(node.parent.parent.parent.moduleSpecifier) &&
        modules.has(node.parent.parent.parent.moduleSpecifier.text)
      ) {
        locals.add(node.name.text);
        declarations.add(node.name);
      }
      const from = ts.isBindingElement(node) ? node.parent.parent : undefined;
      const ofOwner =
        !owner ||
        (from !== undefined &&
          ts.isVariableDeclaration(from) &&
          from.initializer !== undefined &&
          isOwner(from.initializer));
      if (ts.isBindingElement(node) && ts.isIdentifier(node.name) && ofOwner) {
        const property = node.propertyName ?? node.name;
        if (ts.isIdentifier(property) && property.text === name) {
          locals.add(node.name.text);
          declarations.add(node.name);
        }
      }
      ts.forEachChild(node, visitBindings);
    };
    visitBindings(source);
    const visitUses = (node: ts.Node): void => {
      const used =
        (ts.isIdentifier(node) &&
          locals.has(node.text) &&
          !declarations.has(node) &&
          !(ts.isPropertyAccessExpression(node.parent) && node.parent.name === node)) ||
        (ts.isPropertyAccessExpression(node) &&
          node.name.text === name &&
          (!owner || isOwner(node.expression))) ||
        (ts.isElementAccessExpression(node) &&
          ts.isStringLiteralLike(node.argumentExpression) &&
          node.argumentExpression.text === name &&
          (!owner || isOwner(node.expression)));
      if (used) {
        const { line } = source.getLineAndCharacterOfPosition(node.getStart());
        uses.push(`${file}:${line + 1}`);
      }
      ts.forEachChild(node, visitUses);
    };
    visitUses(source);
  }
  return uses;
}
