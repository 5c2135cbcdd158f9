// Writes src/charts/echarts/world.geo.json, the geo map's country shapes, from world-atlas'
// countries-110m.json (Natural Earth 1:110m, public domain; world-atlas is ISC) with topojson-client.
// Both are only needed to regenerate the file, which is committed:
//   npm pack world-atlas@2.0.2 topojson-client@3.1.0   (in a temp folder; untar each)
//   node scripts/world-geo.mjs <world-atlas>/countries-110m.json <topojson-client>/dist/topojson-client.js
// Coordinates are rounded to 0.01° (about 1 km, far below what a dashboard panel shows).
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const [topoPath, clientPath] = process.argv.slice(2);
const { feature } = createRequire(import.meta.url)(clientPath);
const topo = JSON.parse(readFileSync(topoPath, "utf8"));
const geo = feature(topo, topo.objects.countries);
// Rings that cross the antimeridian (Russia's east, Fiji) jump from +180 to -180; ECharts would draw
// that jump as a line across the map, so such a ring keeps going east past 180 instead.
const unwrap = (ring) => {
  if (!ring.some((p, i) => i > 0 && Math.abs(p[0] - ring[i - 1][0]) > 180)) return ring;
  if (ring.some((p) => p[1] < -60)) return ring; // Antarctica spans every longitude on purpose
  return ring.map(([lon, lat]) => [lon < 0 ? lon + 360 : lon, lat]);
};
const unwrapAll = (g) => (g.type === "Polygon" ? g.coordinates.map(unwrap) : g.coordinates.map((poly) => poly.map(unwrap)));
const round = (c) => (typeof c[0] === "number" ? [Math.round(c[0] * 100) / 100, Math.round(c[1] * 100) / 100] : c.map(round));
const out = {
  type: "FeatureCollection",
  features: geo.features.map((f) => ({ type: "Feature", properties: { name: f.properties.name }, geometry: { type: f.geometry.type, coordinates: round(unwrapAll(f.geometry)) } })),
};
const target = join(dirname(fileURLToPath(import.meta.url)), "..", "src", "charts", "echarts", "world.geo.json");
writeFileSync(target, JSON.stringify(out));
console.log(`${out.features.length} countries -> ${target}`);
