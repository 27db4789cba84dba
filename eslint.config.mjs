// One flat config for the whole monorepo (STYLE: configuration is written once).
import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["**/node_modules/**", "**/.turbo/**", "**/.sandbox/**", "**/dist/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { ...globals.node, ...globals.jest },
    },
    rules: {
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
      "@typescript-eslint/no-require-imports": "off",
    },
  },
  {
    // Stubs keep the full signatures with unused parameters on purpose. (Wrong solutions are
    // .patch files against the solution, so no lint rule has to bend for them.)
    files: ["exercises/*/src/**"],
    rules: { "@typescript-eslint/no-unused-vars": "off", "no-useless-catch": "off" },
  },
  {
    // Tests read JSON bodies and documents whose shape is what they check; `any` is honest there.
    files: ["exercises/*/test/**", "exercises/*/.meta/hidden/**"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
);
