import { defineConfig } from "vitest/config";

// The browser test starts a real `wanllmdb server`, seeds it through the Python SDK and drives
// headless Chromium; one file, no parallelism, generous timeouts for the 2-core CI machine.
export default defineConfig({
  test: {
    include: ["tests/e2e/**/*.e2e.ts"],
    environment: "node",
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
