// Regenerates src/generated/openapi.ts from ../../schemas/openapi.json (written by `make openapi`
// from the FastAPI app), the way web/ does: the SDK never hand-writes REST types.
// `node scripts/gen-api.mjs --out FILE` writes elsewhere (the drift test compares the two).
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const pkg = join(dirname(fileURLToPath(import.meta.url)), "..");
const spec = join(pkg, "..", "..", "schemas", "openapi.json");
const at = process.argv.indexOf("--out");
const out = at > 0 ? process.argv[at + 1] : join(pkg, "src", "generated", "openapi.ts");
if (!existsSync(spec)) {
  console.error("gen:api: ../../schemas/openapi.json is missing; run `make openapi` at the repository root");
  process.exit(1);
}
execFileSync(join(pkg, "node_modules", ".bin", "openapi-typescript"), [spec, "-o", out], { stdio: "inherit" });
