import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { LearnerProcess } from "../src";
import type { LearnerRun } from "../src/learner/learner-run";
import { makeTransformsAhead } from "../src/learner/make-transforms-ahead";
import { whySealingIsImpossible } from "../src/learner/sandbox";
import { transformName } from "../src/learner/transforms-ahead";
import { fixtureLearnerRun } from "./fixture-run";

// The learner's TypeScript compiled by the test process before its learner's process starts
// (make-transforms-ahead.ts), and loaded from there by that process (transforms-ahead.js).
const repository = path.resolve(__dirname, "../../..");
const source = mkdtempSync(path.join(os.tmpdir(), "transforms-ahead-"));
chmodSync(source, 0o755); // a sealed process reads it as another user
afterAll(() => rmSync(source, { recursive: true, force: true }));

const FILES = {
  // Its transform is planted before the process starts: what the process runs shows where it
  // loaded the file from.
  "planted.ts": `export function where(): string {\n  return "compiled by tsx";\n}\n`,
  // Throws on line 5, as TypeScript counts; the transform is one line of code.
  "thrower.ts": `type Amount = { value: number };\n\nexport function fail(amount: Amount): number {\n  const doubled: number = amount.value * 2;\n  throw new Error(\`failed at \${doubled}\`);\n}\n`,
  // tsx rewrites import.meta for CommonJS: left to it.
  "meta.ts": `export const here: string = import.meta.filename;\n`,
};
for (const [name, text] of Object.entries(FILES)) writeFileSync(path.join(source, name), text);

const run = (sealed: boolean): LearnerRun => fixtureLearnerRun(source, sealed);

const sealing = whySealingIsImpossible();
const modes = sealing ? [false] : [false, true];
if (sealing) console.warn(`sealed tests skipped: ${sealing}`);

describe("makeTransformsAhead", () => {
  it("compiles each .ts file of the source and of the learner's host into the run's folder, but one with import.meta", async () => {
    const dir = (await makeTransformsAhead(source))!;
    expect(dir).toBe(path.join(process.env.SANDBOX_RUN_SCRATCH!, "transforms"));
    const madeFor = (file: string) =>
      existsSync(path.join(dir, transformName(file, readFileSync(file, "utf8"))));
    expect(madeFor(path.join(source, "thrower.ts"))).toBe(true);
    expect(madeFor(path.join(source, "meta.ts"))).toBe(false);
    expect(madeFor(path.join(repository, "packages/testkit/src/learner/host.ts"))).toBe(true);
  });

  it("names a transform by the file's base name and text, not its folder", () => {
    const text = FILES["thrower.ts"];
    expect(transformName("/a/thrower.ts", text)).toBe(transformName("/b/c/thrower.ts", text));
    expect(transformName("/a/thrower.ts", text)).not.toBe(transformName("/a/other.ts", text));
    expect(transformName("/a/thrower.ts", text)).not.toBe(
      transformName("/a/thrower.ts", `${text} `),
    );
  });
});

describe.each(modes)("a learner's process with transforms made ahead (sealed: %s)", (sealed) => {
  let learner: LearnerProcess;
  beforeAll(async () => {
    const dir = (await makeTransformsAhead(source))!;
    const planted = path.join(source, "planted.ts");
    writeFileSync(
      path.join(dir, transformName(planted, readFileSync(planted, "utf8"))),
      `"use strict";exports.where = () => "made ahead";`,
    );
    learner = await LearnerProcess.start(run(sealed));
  });
  afterAll(() => learner.stop());

  it("loads a file from its transform made ahead", async () => {
    const planted = learner.module<{ where(): string }>("planted");
    expect(await planted.where()).toBe("made ahead");
  });

  it("reports the TypeScript line of an error, through the transform's source map", async () => {
    const thrower = learner.module<{ fail(amount: { value: number }): number }>("thrower");
    const error = (await thrower.fail({ value: 21 }).catch((e: unknown) => e)) as Error;
    expect(error.message).toBe("failed at 42");
    expect(error.stack).toMatch(/thrower\.ts:5:\d+\)/);
  });

  it("leaves a file it has no transform for to tsx", async () => {
    expect(await learner.value<string>("meta", "here")).toMatch(/\/meta\.ts$/);
  });
});
