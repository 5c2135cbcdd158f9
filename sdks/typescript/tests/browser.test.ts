// The browser entry: bundles for the browser without a node: module, and the bundle itself logs a run
// (its memory spool, fetch and WebCrypto only) that lands once.
import { build } from "esbuild";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, inject, it } from "vitest";
import { countsByStepKey, lakeRows, PKG } from "./env.js";

const server = inject("server");

describe("browser build", () => {
  it("bundles src/browser.ts for the browser with no node: import, and the bundle logs a run", async () => {
    const outdir = mkdtempSync(join(tmpdir(), "ts-browser-"));
    const result = await build({
      entryPoints: [join(PKG, "src", "browser.ts")],
      bundle: true,
      platform: "browser",
      format: "esm",
      target: "es2022",
      outfile: join(outdir, "sdk.js"),
      metafile: true,
      logLevel: "silent",
    });
    expect(result.errors).toEqual([]);
    const inputs = Object.keys(result.metafile.inputs);
    const imports = Object.values(result.metafile.inputs).flatMap((i) => i.imports.map((x) => x.path));
    expect(imports.filter((p) => p.startsWith("node:") || ["fs", "path", "os", "crypto"].includes(p))).toEqual([]);
    expect(inputs.some((p) => p.includes("hyparquet-writer/src/node.js"))).toBe(false);
    const code = readFileSync(join(outdir, "sdk.js"), "utf8");
    expect(code).not.toMatch(/from\s*["']node:|require\(["']node:/);

    const sdk = (await import(pathToFileURL(join(outdir, "sdk.js")).href)) as typeof import("../src/browser.js");
    const run = await sdk.init({ baseUrl: server.url, apiKey: server.apiKey, project: "ts-browser", warn: () => {} });
    expect(run.dir).toBeNull(); // the memory spool
    for (let i = 0; i < 50; i++) run.log({ x: i, y: i * i });
    expect((await run.finish()).synced).toBe(true);
    const lake = lakeRows(server.dataDir, run.projectId!, run.id);
    expect(lake.rows.length).toBe(100);
    expect([...countsByStepKey(lake.rows).values()].every((n) => n === 1)).toBe(true);
  });
});
