// ESLint for the browser code (public/: plain ES modules, no build step) and the Node scripts and
// tests (tests/js, tests/pyodide). `make lint` runs it with --max-warnings 0; types are
// TypeScript's job (tsconfig.json), so this keeps to what a type checker does not see.
import js from "@eslint/js";
import globals from "globals";

export default [
  {
    ignores: [
      "public/docs/vendor/**", // Swagger UI, fetched by scripts/docs-assets.py
      "docs/_build/**",
      ".venv/**",
      ".tools/**",
      ".wrangler/**",
      "python_modules/**",
      "tests/pyodide/.wheels/**",
      "tests/.artifacts/**",
    ],
  },
  { linterOptions: { reportUnusedDisableDirectives: "error" } },
  js.configs.recommended,
  {
    rules: {
      eqeqeq: ["error", "always"],
      "no-unused-vars": ["error", { ignoreRestSiblings: true }], // {omitted, ...rest} drops keys
      "no-var": "error",
      "prefer-const": "error",
      "no-implicit-globals": "error",
      "no-shadow": ["error", { builtinGlobals: false }],
    },
  },
  {
    files: ["public/**/*.js"],
    languageOptions: { ecmaVersion: 2022, sourceType: "module", globals: globals.browser },
  },
  {
    // A classic script (the /api/docs page loads it with <script src>, not as a module).
    files: ["public/docs/init.js"],
    languageOptions: { sourceType: "script" },
  },
  {
    files: ["tests/**/*.mjs", "scripts/**/*.mjs", "eslint.config.js"],
    languageOptions: { ecmaVersion: 2024, sourceType: "module", globals: globals.node },
  },
];
