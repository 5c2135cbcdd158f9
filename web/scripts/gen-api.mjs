// Regenerates src/api/schema.d.ts from the served OpenAPI snapshot, ../schemas/openapi.json
// (written by `make openapi` from the FastAPI app). The web never hand-writes API types.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const web = join(dirname(fileURLToPath(import.meta.url)), "..");
const spec = join(web, "..", "schemas", "openapi.json");
if (!existsSync(spec)) {
  console.error("gen:api: ../schemas/openapi.json is missing; run `make openapi` at the repository root");
  process.exit(1);
}
execFileSync(join(web, "node_modules", ".bin", "openapi-typescript"), [spec, "-o", join(web, "src", "api", "schema.d.ts")], {
  stdio: "inherit",
});
