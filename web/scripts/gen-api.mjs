// Regenerates src/api/schema.d.ts from the served OpenAPI snapshot (../schemas/openapi.json).
// Until that snapshot lands, scripts/openapi.draft.json (written from docs/api-contract.md) stands in.
import { existsSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const web = join(dirname(fileURLToPath(import.meta.url)), "..");
const real = join(web, "..", "schemas", "openapi.json");
const draft = join(web, "scripts", "openapi.draft.json");
const input = existsSync(real) ? real : draft;
if (input === draft) console.warn("gen:api: ../schemas/openapi.json is missing; generating from the DRAFT spec");
execFileSync(join(web, "node_modules", ".bin", "openapi-typescript"), [input, "-o", join(web, "src", "api", "schema.d.ts")], {
  stdio: "inherit",
});
