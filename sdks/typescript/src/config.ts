/** run.config: nested JSON values; a key once set keeps its value unless the change is allowed (as in wandb). */
import { InvalidValue, UsageError } from "./errors.js";
import { isPlainObject } from "./values.js";

export type ConfigValue = string | number | boolean | null | ConfigValue[] | { [key: string]: ConfigValue };

export class Config {
  private data: Record<string, ConfigValue> = {};

  constructor(
    private readonly onChange: ((change: Record<string, ConfigValue>) => void) | null,
    private readonly allowAll = false,
  ) {}

  /**
   * Merge `values` (nested objects merge key by key). Changing a value already set throws, naming
   * the key, unless `allowValChange` (or init's `allowValChange`) says the change is meant.
   */
  update(values: Record<string, unknown>, opts: { allowValChange?: boolean } = {}): void {
    if (!isPlainObject(values)) throw new InvalidValue("config.update() takes a plain object", "config");
    const allow = opts.allowValChange ?? this.allowAll;
    const change: Record<string, ConfigValue> = {};
    for (const [key, value] of Object.entries(values)) {
      if (!key) throw new InvalidValue("config: keys must be non-empty strings", key);
      change[key] = plain(key, value);
    }
    checkChanges(this.data, change, "", allow);
    merge(this.data, structuredClone(change));
    if (Object.keys(change).length && this.onChange) this.onChange(change);
  }

  get(key: string): ConfigValue | undefined {
    return this.data[key];
  }

  toJSON(): Record<string, ConfigValue> {
    return structuredClone(this.data);
  }
}

function plain(path: string, value: unknown): ConfigValue {
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : (String(value) as ConfigValue);
  if (typeof value === "bigint") return Number(value);
  if (Array.isArray(value)) return value.map((v, i) => plain(`${path}.${i}`, v));
  if (isPlainObject(value)) {
    const out: Record<string, ConfigValue> = {};
    for (const [k, v] of Object.entries(value)) {
      if (!k) throw new InvalidValue(`config: ${path} has an empty key`, path);
      out[k] = plain(`${path}.${k}`, v);
    }
    return out;
  }
  throw new InvalidValue(
    `config: ${JSON.stringify(path)} is ${value === undefined ? "undefined" : `a ${typeof value}`}; config values are JSON: strings, numbers, booleans, null, arrays and plain objects`,
    path,
  );
}

function checkChanges(old: Record<string, ConfigValue>, change: Record<string, ConfigValue>, prefix: string, allow: boolean): void {
  for (const [key, value] of Object.entries(change)) {
    const before = old[key];
    if (before === undefined) continue;
    if (isPlainObject(before) && isPlainObject(value)) {
      checkChanges(before as Record<string, ConfigValue>, value as Record<string, ConfigValue>, `${prefix}${key}.`, allow);
    } else if (!allow && JSON.stringify(before) !== JSON.stringify(value)) {
      throw new UsageError(
        `config: ${prefix}${key} is already ${JSON.stringify(before)}; changing it to ${JSON.stringify(value)} needs config.update(..., { allowValChange: true })`,
      );
    }
  }
}

function merge(into: Record<string, ConfigValue>, change: Record<string, ConfigValue>): void {
  for (const [key, value] of Object.entries(change)) {
    const before = into[key];
    if (isPlainObject(before) && isPlainObject(value)) merge(before as Record<string, ConfigValue>, value as Record<string, ConfigValue>);
    else into[key] = value;
  }
}
