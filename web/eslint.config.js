// ESLint for the dashboard: typescript-eslint's recommended rules and React's hooks rules
// (exhaustive-deps included). `npm run lint` allows no warnings, so a warning fails `make test` too.
import js from "@eslint/js";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist", "node_modules", "src/api/schema.d.ts"] },
  js.configs.recommended,
  tseslint.configs.recommended,
  reactHooks.configs.flat.recommended,
  {
    languageOptions: { ecmaVersion: 2022, globals: { ...globals.browser } },
    rules: {
      // This only reports that React Compiler would skip a component using TanStack Virtual; the
      // app does not use the compiler, so the notice has nothing to fix.
      "react-hooks/incompatible-library": "off",
    },
    linterOptions: { reportUnusedDisableDirectives: "error" },
  },
  {
    // Node-side files: configs, the generator script and the tests that start servers.
    files: ["*.config.{js,ts}", "scripts/**", "tests/**"],
    languageOptions: { globals: { ...globals.node } },
  },
);
