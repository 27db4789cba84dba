import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { usesInSource } from "../src";

describe("usesInSource", () => {
  const dir = mkdtempSync(join(tmpdir(), "uses-in-source-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(
    join(dir, "a.ts"),
    [
      'import { timingSafeEqual as same } from "node:crypto";',
      'import { Buffer as B } from "node:buffer";',
      "// timingSafeEqual in a comment, and in a string: 'timingSafeEqual'",
      "export const check = (a: Buffer, b: Buffer) => same(a, b);",
      "export const order = new Intl.Collator('en').compare;",
      "export const raw = (a: Buffer, b: Buffer) => B.compare(a, b);",
      'export const odd = (a: Buffer, b: Buffer) => Buffer["equals"].call(a, b);',
    ].join("\n"),
  );
  writeFileSync(
    join(dir, "b.js"),
    'const crypto = require("node:crypto");\nexports.f = (a, b) => crypto.timingSafeEqual(a, b);\n',
  );

  it("finds calls through aliases and module objects, not comments or strings", () => {
    expect(usesInSource("node:crypto", "timingSafeEqual", { dir }).sort()).toEqual([
      "a.ts:4",
      "b.js:2",
    ]);
  });

  it("with an owner, counts only that object's member: Buffer.compare, not a collator's", () => {
    expect(usesInSource("node:buffer", "compare", { dir, owner: "Buffer" })).toEqual(["a.ts:6"]);
    expect(usesInSource("node:buffer", "equals", { dir, owner: "Buffer" })).toEqual(["a.ts:7"]);
    expect(usesInSource("node:buffer", "compare", { dir })).toEqual(["a.ts:5", "a.ts:6"]);
  });
});
