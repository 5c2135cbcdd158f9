// Regenerates src/api/schema.d.ts from the served OpenAPI snapshot (../schemas/openapi.json).
// Routes the snapshot does not have yet (services still landing) are taken from
// scripts/openapi.draft.json, written from docs/api-contract.md, and listed loudly; once the
// snapshot covers every route the web calls, nothing comes from the draft and it can go.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { tmpdir } from "node:os";

const web = join(dirname(fileURLToPath(import.meta.url)), "..");
const realPath = join(web, "..", "schemas", "openapi.json");
const draft = JSON.parse(readFileSync(join(web, "scripts", "openapi.draft.json"), "utf8"));
let spec;
if (!existsSync(realPath)) {
  console.warn("gen:api: ../schemas/openapi.json is missing; generating from the DRAFT spec only");
  spec = draft;
} else {
  spec = JSON.parse(readFileSync(realPath, "utf8"));
  const missing = Object.keys(draft.paths).filter((p) => !(p in spec.paths));
  if (missing.length) {
    console.warn(`gen:api: ${missing.length} route(s) not in schemas/openapi.json yet, taken from the draft:\n  ${missing.join("\n  ")}`);
    // Draft models are renamed Draft_<name> so they never shadow the real ones.
    const rename = (o) => JSON.parse(JSON.stringify(o).replaceAll('"#/components/schemas/', '"#/components/schemas/Draft_'));
    for (const p of missing) spec.paths[p] = rename(draft.paths[p]);
    for (const [name, schema] of Object.entries(draft.components.schemas)) spec.components.schemas[`Draft_${name}`] = rename(schema);
  }
}
const input = join(mkdtempSync(join(tmpdir(), "wl-openapi-")), "openapi.json");
writeFileSync(input, JSON.stringify(spec));
execFileSync(join(web, "node_modules", ".bin", "openapi-typescript"), [input, "-o", join(web, "src", "api", "schema.d.ts")], {
  stdio: "inherit",
});
