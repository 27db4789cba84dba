/**
 * The files every exercise shares but for its slug. `sandbox new` writes them and `sandbox verify`
 * checks that each exercise still matches, instead of trusting copy-paste (Exercism's config sync).
 */
export function packageJson(slug: string) {
  return {
    name: `@backend-sandbox/${slug}`,
    version: "0.1.0",
    private: true,
    license: "MIT",
    scripts: {
      test: "jest",
      grade: `sandbox grade ${slug}`,
      dev: "jest --watchAll",
      typecheck: "tsc -p tsconfig.json",
    },
    dependencies: { express: "^5.3.0", ioredis: "^6.0.0", pg: "^8.23.1" },
    devDependencies: { "@backend-sandbox/grader": "*", "@backend-sandbox/testkit": "*" },
  };
}

export const TSCONFIG = {
  extends: "../../tsconfig.base.json",
  compilerOptions: { paths: { "#src/*": ["./src/*"], "#support/*": ["./test/support/*"] } },
  include: ["src", "test", ".meta/solution/**/*", ".meta/hidden/**/*"],
};

export const JEST_CONFIG = 'module.exports = { preset: "@backend-sandbox/testkit" };\n';

/** The skeleton of `sandbox new`: one example stage that already passes verify. */
export function skeleton(slug: string, title: string): Record<string, string> {
  const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
  return {
    "package.json": json(packageJson(slug)),
    "tsconfig.json": json(TSCONFIG),
    "jest.config.js": JEST_CONFIG,
    "README.md": `# ${title}\n\nThe scenario in a few sentences: who runs what, and what goes wrong without this.\n\n## The interface\n\n\`src/greeting.ts\` exports \`greet(name: string): string\`. Do not change the signature.\n\n## Stages\n\nEach stage numbers its rules \`R<stage>.<n>\`: everything a test checks, and every test cites the rules it checks.\n\n### 1. example-stage\n\nWhat this stage is about, in a sentence.\n\n- **R1.1** \`greet(name)\` answers \`"Hello, <name>!"\` for any name: \`greet("Ada")\` is \`"Hello, Ada!"\`.\n\n## Standards\n\n- The standards this exercise follows, linked, each with the rules that rely on it.\n\n## Running\n\n\`\`\`\nnpm test          # visible tests\nnpm run grade     # visible + hidden tests, score per stage\nnpx sandbox hint ${slug}\n\`\`\`\n`,
    "src/greeting.ts": `// The scenario in two or three lines: what this module does for whom.\n// Keep the exported signatures: the tests import them.\n\nexport function greet(name: string): string {\n  // TODO example-stage: answer "Hello, <name>!"\n  throw new Error(\`not implemented: greet(\${name})\`);\n}\n`,
    "test/example-stage.test.ts": `import { useLearner } from "@backend-sandbox/testkit";\nimport type * as Greeting from "#src/greeting";\n\n// The code under test runs in a process of its own; each call crosses over and returns a Promise.\nconst { greet } = useLearner().module<typeof Greeting>("greeting");\n\ndescribe("example stage", () => {\n  it("[R1.1] greets a person by name", async () => {\n    expect(await greet("Ada")).toBe("Hello, Ada!");\n  });\n});\n`,
    "test/support/.gitkeep": "",
    ".meta/exercise.json": json({
      slug,
      title,
      summary: "One sentence: what the learner builds.",
      difficulty: "beginner",
      concepts: ["example"],
      services: [],
      timeLimitSeconds: 60,
      stages: [{ id: "example-stage", title: "Example stage", points: 100 }],
    }),
    ".meta/hints.md": `# Hints\n\n## example-stage\n\n- Read the visible test: it shows the exact answer expected.\n- Build the answer with a template literal.\n`,
    ".meta/solution/greeting.ts": `// Reference solution: what a strong engineer would ship.\nexport function greet(name: string): string {\n  return \`Hello, \${name}!\`;\n}\n`,
    ".meta/hidden/example-stage.test.ts": `import { useLearner } from "@backend-sandbox/testkit";\nimport type * as Greeting from "#src/greeting";\n\nconst { greet } = useLearner().module<typeof Greeting>("greeting");\n\ndescribe("example stage", () => {\n  it("[R1.1] greets any name, not only the one in the visible test", async () => {\n    expect(await greet("Grace")).toBe("Hello, Grace!");\n  });\n});\n`,
    ".meta/wrong-solutions/ignores-name.patch": `Stages: example-stage\nBreaks: R1.1\n\nClassic bug: hard-codes the visible test's answer, so another name is greeted as Ada.\n\n--- a/greeting.ts\n+++ b/greeting.ts\n@@ -1,4 +1,4 @@\n // Reference solution: what a strong engineer would ship.\n-export function greet(name: string): string {\n-  return \`Hello, \${name}!\`;\n+export function greet(_name: string): string {\n+  return "Hello, Ada!";\n }\n`,
  };
}
