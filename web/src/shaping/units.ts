// Units of the SDK's system metrics (docs/sdk.md, "system.*"), so an axis reads "25.7 %" or
// "3.2 GiB" instead of a bare number. The SDK counts MB and GB in binary units (1 MB = 2^20 bytes).
import { formatValue } from "./fields";

export type Unit = "bytes" | "percent" | "watts" | "celsius" | "mhz";

/** The unit of a metric key, or null for a plain number. */
export function unitOf(key: string): Unit | null {
  if (!key.startsWith("system.")) return null;
  const k = key.slice(7);
  if (/Bytes$|MB$|GB$|^disk\.(in|out)$|^network\.(sent|recv)$/.test(k)) return "bytes";
  if (/[Pp]ercent$|_percent$|^cpu$|^gpu\.\d+\.(gpu|memory|memoryAllocated)$/.test(k)) return "percent";
  if (/[Ww]atts$/.test(k)) return "watts";
  if (/\.temp$|[Tt]emp(erature)?$/.test(k)) return "celsius";
  if (/Clock$/.test(k)) return "mhz";
  return null;
}

/** Factor from the value as logged to the unit's base (bytes for MB and GB keys). */
export function unitScale(key: string): number {
  if (/MB$|^system\.disk\.(in|out)$/.test(key)) return 2 ** 20;
  if (/GB$/.test(key)) return 2 ** 30;
  return 1;
}

const BYTE_UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];

const short = (n: number) => String(Number(n.toPrecision(3)));

export function formatBytes(n: number): string {
  let v = Math.abs(n);
  let i = 0;
  while (v >= 1024 && i < BYTE_UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  return `${n < 0 ? "-" : ""}${short(v)} ${BYTE_UNITS[i]}`;
}

/** A formatter for a key's values: with its unit when it has one, formatValue otherwise. */
export function formatterFor(key: string): (v: number) => string {
  const unit = unitOf(key);
  const scale = unitScale(key);
  switch (unit) {
    case "bytes":
      return (v) => formatBytes(v * scale);
    case "percent":
      return (v) => `${short(v)}%`;
    case "watts":
      return (v) => `${short(v)} W`;
    case "celsius":
      return (v) => `${short(v)} °C`;
    case "mhz":
      return (v) => `${short(v)} MHz`;
    default:
      return (v) => formatValue(v);
  }
}
