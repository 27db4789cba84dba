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
    // Stubs keep the full signatures with unused parameters on purpose.
    files: ["exercises/*/src/**"],
    rules: { "@typescript-eslint/no-unused-vars": "off" },
  },
);
