import { execFileSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  readFileSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { copySource, SOURCE_CAPS } from "../src/run/copy-source";
import { scratchDir } from "./run-sandbox";

const write = (file: string, text: string | Buffer = "export {};\n") => {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
};
const fresh = () => {
  const root = scratchDir("copy");
  mkdirSync(path.join(root, "to"));
  return { from: path.join(root, "from"), to: path.join(root, "to") };
};

describe("copying a submission's src/", () => {
  it("copies files and nested folders byte for byte", () => {
    const { from, to } = fresh();
    write(path.join(from, "a.ts"), "export const a = 1;\n");
    write(path.join(from, "deep/er/b.ts"), Buffer.from([0, 1, 2, 255]));
    expect(copySource(from, to)).toEqual({ ok: true, entries: 4, bytes: 24 });
    expect(readFileSync(path.join(to, "a.ts"), "utf8")).toBe("export const a = 1;\n");
    expect([...readFileSync(path.join(to, "deep/er/b.ts"))]).toEqual([0, 1, 2, 255]);
  });

  it("refuses a file name that is not UTF-8, naming it with its bytes escaped", () => {
    const { from, to } = fresh();
    write(path.join(from, "ok.ts"));
    // Node cannot create such a name from a string; the shell can.
    execFileSync("sh", ["-c", `printf x > "$1/bad$(printf '\\377\\376').ts"`, "sh", from]);
    expect(copySource(from, to)).toEqual({
      ok: false,
      timedOut: false,
      reason: "src/bad\\xff\\xfe.ts: a file name must be printable UTF-8 (it cannot be imported)",
    });
  });

  it("refuses a file name with a control character", () => {
    const { from, to } = fresh();
    write(path.join(from, "line\nbreak.ts"));
    const copied = copySource(from, to);
    expect(copied).toMatchObject({ ok: false });
    expect(!copied.ok && copied.reason).toBe(
      "src/line\\x0abreak.ts: a file name must be printable UTF-8 (it cannot be imported)",
    );
  });

  it.each([
    ["symlink", (file: string) => symlinkSync("/etc/passwd", file)],
    ["fifo", (file: string) => execFileSync("mkfifo", [file])],
  ])("refuses a %s", (kind, make) => {
    const { from, to } = fresh();
    write(path.join(from, "a.ts"));
    make(path.join(from, "sneaky.ts"));
    expect(copySource(from, to)).toEqual({
      ok: false,
      timedOut: false,
      reason: `src/sneaky.ts is a ${kind}; src/ may hold only files and folders`,
    });
  });

  it("refuses a 10 GiB sparse file on its size, without reading it", () => {
    const { from, to } = fresh();
    write(path.join(from, "huge.bin"), "");
    truncateSync(path.join(from, "huge.bin"), 10 * 1024 ** 3);
    const started = Date.now();
    const copied = copySource(from, to);
    expect(Date.now() - started).toBeLessThan(500);
    expect(copied).toEqual({
      ok: false,
      timedOut: false,
      reason: "src/huge.bin: src/ holds more than 10 MiB (this file alone is 10737418240 bytes)",
    });
    expect(existsSync(path.join(to, "huge.bin"))).toBe(false);
  });

  it(`refuses more than ${SOURCE_CAPS.maxEntries} files and folders`, () => {
    const { from, to } = fresh();
    for (let i = 0; i <= SOURCE_CAPS.maxEntries; i++) write(path.join(from, `f${i}.ts`), "");
    expect(copySource(from, to)).toMatchObject({
      ok: false,
      reason: "src/ holds more than 1000 files and folders",
    });
  });

  it("refuses folders nested past the depth cap", () => {
    const { from, to } = fresh();
    write(path.join(from, ...Array.from({ length: SOURCE_CAPS.maxDepth + 1 }, () => "d"), "x.ts"));
    expect(copySource(from, to)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/nested deeper than 16 folders$/),
    });
  });

  it("stops at the deadline, as a timeout", () => {
    const { from, to } = fresh();
    write(path.join(from, "a.ts"));
    expect(copySource(from, to, Date.now() - 1)).toEqual({
      ok: false,
      timedOut: true,
      reason: "copying src/ took the whole time limit",
    });
  });
});
