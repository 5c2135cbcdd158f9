// The REST types are generated from schemas/openapi.json; this fails when the committed file drifts.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { PKG } from "./env.js";

it("src/generated/openapi.ts is what `npm run gen:api` makes of schemas/openapi.json", () => {
  const fresh = join(mkdtempSync(join(tmpdir(), "ts-openapi-")), "openapi.ts");
  execFileSync(process.execPath, [join(PKG, "scripts", "gen-api.mjs"), "--out", fresh], { stdio: "pipe" });
  const committed = readFileSync(join(PKG, "src", "generated", "openapi.ts"), "utf8");
  expect(readFileSync(fresh, "utf8") === committed, "schemas/openapi.json changed: run `make openapi` (or `npm run gen:api` in sdks/typescript) and commit src/generated/openapi.ts").toBe(true);
});
