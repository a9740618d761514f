// ESLint: JS recommended + typescript-eslint recommended over sources, tests, tools and examples.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "tmp/", "build/", ".gpu/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // plain JS build scripts run on Node
    files: ["**/*.mjs", "**/*.js"],
    languageOptions: {
      globals: { process: "readonly", console: "readonly", URL: "readonly", Buffer: "readonly" },
    },
  },
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-non-null-assertion": "off",
      "@typescript-eslint/no-implied-eval": "off",
      "no-new-func": "off",
    },
  },
);
