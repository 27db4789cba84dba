import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

// registerTsxForOwnCode (src/tsx-own-code.js), in plain Node processes as the CLI and the
// learner's process use it: the project's TypeScript loads through tsx, packages through Node.
const ownCode = path.join(__dirname, "../src/tsx-own-code.js");
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "sandbox-tsx-own-code-"));
  // Which loader took a package's file: Node's loads ESM syntax in a .js file as an ES module (a
  // module namespace), tsx's compiles it to CommonJS (a plain object).
  const esm = path.join(dir, "node_modules/esm-package");
  mkdirSync(esm, { recursive: true });
  writeFileSync(path.join(esm, "package.json"), '{ "name": "esm-package", "main": "index.js" }\n');
  writeFileSync(path.join(esm, "index.js"), "export const kind = 'esm';\n");
  writeFileSync(
    path.join(dir, "loader.ts"),
    "const kind: string = Object.prototype.toString.call(require('esm-package'));\nconsole.log(JSON.stringify(kind));\n",
  );
  writeFileSync(path.join(dir, "bundle.js"), "module.exports = 'from the bundle';\n");
  writeFileSync(
    path.join(dir, "bundled.ts"),
    "const answer: string = require('the-bundled');\nconsole.log(JSON.stringify(answer));\n",
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What `file` (in the scratch folder) prints, run in a fresh Node process after `register`. */
const printed = (register: string, file: string): unknown =>
  JSON.parse(
    execFileSync(
      process.execPath,
      ["-e", `${register}; require(${JSON.stringify(path.join(dir, file))})`],
      { encoding: "utf8", cwd: dir },
    ),
  );
const ours = () =>
  `require(${JSON.stringify(ownCode)}).registerTsxForOwnCode({ bundles: new Map([["the-bundled", ${JSON.stringify(path.join(dir, "bundle.js"))}]]) })`;

describe("registerTsxForOwnCode", () => {
  it("loads the project's TypeScript through tsx and a package's files through Node's own loader", () => {
    expect(printed(ours(), "loader.ts")).toBe("[object Module]");
    // Unlike tsx registered for everything, which compiles a package's ESM to CommonJS.
    expect(printed(`require(${JSON.stringify(require.resolve("tsx/cjs"))})`, "loader.ts")).toBe(
      "[object Object]",
    );
  });

  it("answers a require of a bundled package's name with its bundle", () => {
    expect(printed(ours(), "bundled.ts")).toBe("from the bundle");
  });
});
