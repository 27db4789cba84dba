// Finds calls of one export of a Node built-in in the code under test, by reading its source as
// TypeScript: comments, strings and a mere import do not count. The code runs in a process of its
// own, where no spy of this process reaches, so a rule that names the function to call (R3.10) is
// checked in the source it runs. Reading the files is all this does: nothing of them runs here.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";

/** Where the code under test is: the folder the testkit's learner's process runs (see sourceDir). */
export function sourceDir(): string {
  // The Jest configuration names it (exercise-layout.js, globals.sandboxRun); the learner's loop
  // leaves it to SANDBOX_SOURCE_DIR, else src/ (packages/testkit/src/learner/learner-run.ts).
  const configured = (globalThis as { sandboxRun?: { exerciseDir?: string; sourceDir?: string } })
    .sandboxRun;
  const exerciseDir = configured?.exerciseDir ?? path.resolve(__dirname, "../..");
  return path.resolve(
    exerciseDir,
    configured?.sourceDir ?? (process.env.SANDBOX_SOURCE_DIR || "src"),
  );
}

/** Each call of `builtin`'s export `name` (e.g. "crypto", "timingSafeEqual") in `dir`'s files, as "file:line". */
export function callsInSource(dir: string, builtin: string, name: string): string[] {
  const found: string[] = [];
  for (const file of sourceFiles(dir)) {
    const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest);
    const modules = new Set<string>(); // local names of the module: `import crypto`, `import * as c`
    const functions = new Set<string>(); // local names of the export: `import { name as alias }`
    const isBuiltin = (node: ts.Node | undefined) =>
      !!node && ts.isStringLiteral(node) && [builtin, `node:${builtin}`].includes(node.text);
    const isRequire = (node: ts.Node | undefined): boolean =>
      !!node &&
      ts.isCallExpression(node) &&
      ts.isIdentifier(node.expression) &&
      node.expression.text === "require" &&
      isBuiltin(node.arguments[0]);
    const keyOf = (element: ts.BindingElement | ts.ImportSpecifier) =>
      (element.propertyName ?? element.name).getText(source);

    // First the names the module and the function go by, wherever they are bound.
    const bind = (node: ts.Node): void => {
      if (ts.isImportDeclaration(node) && isBuiltin(node.moduleSpecifier)) {
        const clause = node.importClause;
        if (clause?.name) modules.add(clause.name.text);
        const bindings = clause?.namedBindings;
        if (bindings && ts.isNamespaceImport(bindings)) modules.add(bindings.name.text);
        if (bindings && ts.isNamedImports(bindings))
          for (const element of bindings.elements)
            if (keyOf(element) === name) functions.add(element.name.text);
      } else if (ts.isVariableDeclaration(node) && isRequire(node.initializer)) {
        if (ts.isIdentifier(node.name)) modules.add(node.name.text);
        else if (ts.isObjectBindingPattern(node.name))
          for (const element of node.name.elements)
            if (ts.isIdentifier(element.name) && keyOf(element) === name)
              functions.add(element.name.text);
      }
      ts.forEachChild(node, bind);
    };
    // Then the calls: `alias(...)`, `crypto.name(...)`, `require("node:crypto").name(...)`.
    const isCall = (callee: ts.Expression): boolean =>
      (ts.isIdentifier(callee) && functions.has(callee.text)) ||
      (ts.isPropertyAccessExpression(callee) &&
        callee.name.text === name &&
        ((ts.isIdentifier(callee.expression) && modules.has(callee.expression.text)) ||
          isRequire(callee.expression)));
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node) && isCall(node.expression)) {
        const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
        found.push(`${path.relative(dir, file)}:${line + 1}`);
      }
      ts.forEachChild(node, visit);
    };
    bind(source);
    visit(source);
  }
  return found;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.[cm]?[jt]s$/.test(entry.name))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .filter((file) => !file.split(path.sep).includes("node_modules"));
}
