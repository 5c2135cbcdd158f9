import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";
import { cspSafeClaygl } from "./scripts/csp-safe-claygl";

// `npm run dev` proxies /api to a running `wanllmdb server` (WANLLMDB_API, default :8000),
// so the dev site and the served site call the same relative URLs.
export default defineConfig({
  plugins: [react(), cspSafeClaygl()],
  server: { proxy: { "/api": process.env.WANLLMDB_API ?? "http://127.0.0.1:8000" } },
  build: {
    outDir: "dist",
    sourcemap: false,
    chunkSizeWarningLimit: 800,
    // Fonts stay files: the CSP's font-src 'self' refuses data: URLs (KaTeX's small fonts would inline).
    assetsInlineLimit: (file) => (/\.(woff2?|ttf)$/.test(file) ? false : undefined),
  },
});
