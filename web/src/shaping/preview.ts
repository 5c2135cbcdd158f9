// Which preview a manifest entry gets, from its name and first bytes. Every preview shows user
// content as data (text nodes, an <img> of the presigned URL, table cells), never as markup.

export type PreviewKind = "image" | "svg" | "csv" | "tsv" | "parquet" | "json" | "text" | "none";

const IMAGE = new Set(["png", "jpg", "jpeg", "gif", "webp", "bmp", "ico", "avif"]);
const TEXT = new Set([
  "txt", "md", "log", "py", "js", "ts", "tsx", "jsx", "yaml", "yml", "toml", "ini", "cfg", "conf", "sh", "xml", "html", "htm", "css",
  "rs", "go", "c", "h", "cc", "cpp", "hpp", "java", "rb", "r", "sql", "jsonl", "ndjson", "tex", "rst", "diff", "patch", "proto", "vocab", "",
]);

/** The file's extension, lower case, without the dot; "" when it has none. */
export function extensionOf(path: string): string {
  const name = path.slice(path.lastIndexOf("/") + 1);
  const dot = name.lastIndexOf(".");
  return dot <= 0 ? "" : name.slice(dot + 1).toLowerCase();
}

export function previewKind(path: string): PreviewKind {
  const ext = extensionOf(path);
  if (IMAGE.has(ext)) return "image";
  if (ext === "svg") return "svg";
  if (ext === "csv") return "csv";
  if (ext === "tsv") return "tsv";
  if (ext === "parquet" || ext === "pq") return "parquet";
  if (ext === "json") return "json";
  if (TEXT.has(ext)) return "text";
  return "text"; // unknown: shown as text when its first bytes read as text (looksBinary says)
}

/** Whether bytes look like a binary file: a NUL, or many control characters, in the first 8 KiB. */
export function looksBinary(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 8192);
  let control = 0;
  for (let i = 0; i < n; i++) {
    const b = bytes[i];
    if (b === 0) return true;
    if (b < 9 || (b > 13 && b < 32)) control++;
  }
  return n > 0 && control / n > 0.1;
}

/** A table cell of a previewed file as short text: bigints and dates as written, bytes as a count, objects as JSON. */
export function formatCell(value: unknown, max = 120): string {
  let text: string;
  if (value === null || value === undefined) text = "";
  else if (typeof value === "bigint") text = value.toString();
  else if (value instanceof Date) text = Number.isNaN(value.getTime()) ? "Invalid date" : value.toISOString();
  else if (value instanceof Uint8Array) text = `<${value.length} bytes>`;
  else if (typeof value === "object") text = JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v instanceof Uint8Array ? `<${v.length} bytes>` : v));
  else text = String(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
