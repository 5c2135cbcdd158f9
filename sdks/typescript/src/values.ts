/**
 * What log() takes: the same rules as the Python SDK (sdk/wanllmdb/values.py). Keys are non-empty
 * strings of at most 256 characters; nested plain objects become dotted keys; a value is a number
 * (NaN and ±Infinity are data), a boolean (1 or 0), a bigint (as a float64) or a string (the lake's
 * `text` column). Anything else is refused with an error that names the key and the fix.
 */
import { InvalidValue } from "./errors.js";

export const MAX_KEY_LENGTH = 256;

export function validateKey(key: string, where = "log()"): string {
  if (key.length === 0) throw new InvalidValue(`${where}: empty key; give every metric a name`, key);
  if (key.length > MAX_KEY_LENGTH) {
    throw new InvalidValue(
      `${where}: key ${JSON.stringify(key.slice(0, 40))}... is ${key.length} characters; the limit is ${MAX_KEY_LENGTH}`,
      key,
    );
  }
  return key;
}

/** A row split into numeric values and text values, keys flattened and validated. */
export interface FlatRow {
  nums: Map<string, number>;
  texts: Map<string, string>;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object") return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Validate and flatten a log() row; throws InvalidValue before anything is stored. */
export function flattenRow(data: Record<string, unknown>): FlatRow {
  const out: FlatRow = { nums: new Map(), texts: new Map() };
  flattenInto(data, "", out);
  return out;
}

function flattenInto(data: Record<string, unknown>, prefix: string, out: FlatRow): void {
  for (const [rawKey, value] of Object.entries(data)) {
    const name = prefix + validateKey(rawKey);
    if (isPlainObject(value)) {
      flattenInto(value, name + ".", out);
      continue;
    }
    validateKey(name);
    // A dotted key given twice in one row keeps the later value, as a dict would.
    out.nums.delete(name);
    out.texts.delete(name);
    if (typeof value === "string") out.texts.set(name, value);
    else out.nums.set(name, coerceScalar(name, value));
  }
}

export function coerceScalar(key: string, value: unknown): number {
  switch (typeof value) {
    case "number":
      return value;
    case "boolean":
      return value ? 1 : 0;
    case "bigint": {
      const n = Number(value);
      if (!Number.isFinite(n)) throw new InvalidValue(`log(): ${JSON.stringify(key)}: ${value} is too large for a float64`, key);
      return n;
    }
    default:
      break;
  }
  const kind = describe(value);
  if (Array.isArray(value) || ArrayBuffer.isView(value)) {
    throw new InvalidValue(
      `log(): ${JSON.stringify(key)} is ${kind}; the TypeScript SDK stores scalars and strings: log a scalar of it (its mean, its norm) instead`,
      key,
    );
  }
  throw new InvalidValue(
    `log(): ${JSON.stringify(key)} has unsupported type ${kind}; log a number, boolean, bigint, string, or a plain object of those`,
    key,
  );
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  if (typeof value === "object") return `a ${(value as object).constructor?.name ?? "object"}`;
  return `a ${typeof value}`;
}
