import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    globalSetup: ["tests/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 90_000,
    // One local server for every file; files run one at a time, so timings stay stable on a small box.
    fileParallelism: false,
  },
});
