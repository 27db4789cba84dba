// Comparisons with ===, !==, == or != in the code under test whose operands mention a name
// (e.g. /csrf/i), found by reading its source as TypeScript: such a comparison stops at the first
// differing character, so a secret compared that way leaks through timing. Nothing here runs it.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";

const EQUALITY = new Set([
  ts.SyntaxKind.EqualsEqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsEqualsToken,
  ts.SyntaxKind.EqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsToken,
]);

/** A side that holds no secret: a literal, undefined, null, a typeof or a length. */
const trivial = (side: ts.Expression): boolean =>
  ts.isLiteralExpression(side) ||
  side.kind === ts.SyntaxKind.NullKeyword ||
  side.kind === ts.SyntaxKind.TrueKeyword ||
  side.kind === ts.SyntaxKind.FalseKeyword ||
  (ts.isIdentifier(side) && side.text === "undefined") ||
  ts.isTypeOfExpression(side) ||
  (ts.isPropertyAccessExpression(side) && side.name.text === "length");

/** `file:line` of every equality comparison in `dir` with an operand whose text matches `name`. */
export function comparisonsMentioning(dir: string, name: RegExp): string[] {
  const found: string[] = [];
  const files = readdirSync(dir, { recursive: true, encoding: "utf8" }).filter(
    (file) =>
      /\.[cm]?[jt]s$/.test(file) && !file.endsWith(".d.ts") && !file.includes("node_modules"),
  );
  for (const file of files) {
    const source = ts.createSourceFile(
      file,
      readFileSync(path.join(dir, file), "utf8"),
      ts.ScriptTarget.Latest,
      true,
    );
    const visit = (node: ts.Node): void => {
      if (
        ts.isBinaryExpression(node) &&
        EQUALITY.has(node.operatorToken.kind) &&
        !trivial(node.left) &&
        !trivial(node.right) &&
        [node.left, node.right].some((side) => name.test(side.getText(source)))
      ) {
        const { line } = source.getLineAndCharacterOfPosition(node.getStart());
        found.push(`${file}:${line + 1}`);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found;
}
