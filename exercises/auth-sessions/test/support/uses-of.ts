// Where the code under test uses a function of a Node module, found by reading its source (it
// runs in a process of its own, where no spy can watch it): named imports (aliases included),
// destructuring, and member access such as `crypto.timingSafeEqual`.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";

const SOURCE_FILE = /\.(?:[cm]?ts|[cm]?js)$/;

/** `file:line` of every use (outside its import or binding) of `name` from `moduleName` under `dir`. */
export function usesOf(dir: string, moduleName: string, name: string): string[] {
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
      if (ts.isBindingElement(node) && ts.isIdentifier(node.name)) {
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
        (ts.isPropertyAccessExpression(node) && node.name.text === name) ||
        (ts.isElementAccessExpression(node) &&
          ts.isStringLiteralLike(node.argumentExpression) &&
          node.argumentExpression.text === name);
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
