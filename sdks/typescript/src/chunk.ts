/**
 * Parquet chunks in the lake's metric schema (schemas/lake_schema.json `metric_columns`), written
 * with hyparquet-writer (pure JS, so the same code runs in Node and the browser).
 *
 * The column types are the ones the Python SDK writes (sdk/wanllmdb/ingest/chunk.py): step int64,
 * ts timestamp(ms, UTC), key string (dictionary-encoded pages), value float64 (null on text rows),
 * attempt int32, ref/text/media string. The file also carries the Arrow schema pyarrow writes for
 * those columns (`ARROW:schema`), so pyarrow reads `key` back as dictionary<int32, string> exactly as
 * for a Python chunk; tests/chunk.test.ts checks both against pyarrow. Compression is snappy (the
 * writer's built-in codec: no pure-JS zstd encoder is well kept); compaction rewrites zstd.
 */
import { ByteWriter, parquetWrite } from "hyparquet-writer";
import type { Drained } from "./buffer.js";

/** What a chunk is encoded from: a drained buffer, or its typed-array copy sent to a worker thread. */
export interface ChunkRows {
  steps: ArrayLike<number>;
  tsMs: ArrayLike<number>;
  columns: Array<{ key: string; rows: ArrayLike<number>; vals: ArrayLike<number> }>;
  texts: Array<[number, string, string]>;
}

/** A drained buffer as ChunkRows; `typed` copies it into typed arrays whose buffers can be transferred. */
export function chunkRows(drained: Drained, typed = false): { rows: ChunkRows; transfer: ArrayBuffer[] } {
  const transfer: ArrayBuffer[] = [];
  const arr = <T extends Float64Array | Int32Array>(a: T): T => (transfer.push(a.buffer as ArrayBuffer), a);
  const columns = [...drained.columns].map(([key, col]) =>
    typed ? { key, rows: arr(Int32Array.from(col.rows)), vals: arr(Float64Array.from(col.vals)) } : { key, ...col },
  );
  const rows: ChunkRows = {
    steps: typed ? arr(Float64Array.from(drained.steps)) : drained.steps,
    tsMs: typed ? arr(Float64Array.from(drained.tsMs)) : drained.tsMs,
    columns,
    texts: drained.texts,
  };
  return { rows, transfer };
}

/** pyarrow's serialized Arrow schema of the metric columns (base64 IPC), as `pq.write_table` stores it. */
export const METRIC_ARROW_SCHEMA =
  "/////wgCAAAQAAAAAAAKAAwABgAFAAgACgAAAAABBAAEAAAAvP7//wQAAAAIAAAAqAEAAFgBAAAMAQAAyAAAAIQAAABcAAAAMAAAAAQAAABc////AAABBRAAAAAYAAAABAAAAAAAAAAFAAAAbWVkaWEAAADw/v//hP///wAAAQUQAAAAGAAAAAQAAAAAAAAABAAAAHRleHQAAAAAGP///6z///8AAAEFEAAAABQAAAAEAAAAAAAAAAMAAAByZWYAPP////z+//8AAAACEAAAABgAAAAEAAAAAAAAAAcAAABhdHRlbXB0AOz+//8AAAABIAAAABAAFAAIAAYABwAMAAAAEAAQAAAAAAABAxAAAAAcAAAABAAAAAAAAAAFAAAAdmFsdWUABgAIAAYABgAAAAAAAgAQABgACAAAAAcADAAQABQAEAAAAAAAAAUUAAAAOAAAABwAAAAEAAAAAAAAAAMAAABrZXkACAAIAAAABAAIAAAABAAAAHz///8AAAABIAAAAAQABAAEAAAAxP///wAAAAoQAAAAHAAAAAQAAAAAAAAAAgAAAHRzAAAIAAwABgAIAAgAAAAAAAEABAAAAAMAAABVVEMAEAAUAAgAAAAHAAwAAAAQABAAAAAAAAACEAAAACAAAAAEAAAAAAAAAAQAAABzdGVwAAAAAAgADAAIAAcACAAAAAAAAAFAAAAA";

const STRING = { type: "BYTE_ARRAY", converted_type: "UTF8", logical_type: { type: "STRING" } } as const;

/** The Parquet schema of a metric chunk, in lake_schema.json's column order. */
export const METRIC_PARQUET_SCHEMA = [
  { name: "schema", num_children: 8 },
  { name: "step", type: "INT64", repetition_type: "REQUIRED" },
  {
    name: "ts",
    type: "INT64",
    repetition_type: "REQUIRED",
    logical_type: { type: "TIMESTAMP", isAdjustedToUTC: true, unit: "MILLIS" },
  },
  { name: "key", ...STRING, repetition_type: "REQUIRED" },
  { name: "value", type: "DOUBLE", repetition_type: "OPTIONAL" },
  { name: "attempt", type: "INT32", repetition_type: "REQUIRED" },
  { name: "ref", ...STRING, repetition_type: "OPTIONAL" },
  { name: "text", ...STRING, repetition_type: "OPTIONAL" },
  { name: "media", ...STRING, repetition_type: "OPTIONAL" },
] as const;

/** Long-format rows of a drained buffer: numeric keys first (one run of rows per key), then texts. */
export function encodeMetricChunk(drained: ChunkRows, attempt: number): Uint8Array {
  let n = drained.texts.length;
  for (const col of drained.columns) n += col.vals.length;
  const step = new BigInt64Array(n);
  const ts = new BigInt64Array(n);
  const key: string[] = new Array<string>(n);
  // Numbers only (the usual chunk): a Float64Array, which the writer encodes without boxing each value.
  const value: Float64Array | Array<number | null> = drained.texts.length ? new Array<number | null>(n) : new Float64Array(n);
  const text: Array<string | null> = new Array<string | null>(n).fill(null);
  const nulls: null[] = new Array<null>(n).fill(null);
  let i = 0;
  for (const { key: name, rows, vals } of drained.columns) {
    for (let j = 0; j < vals.length; j++, i++) {
      const r = rows[j]!;
      step[i] = BigInt(drained.steps[r]!);
      ts[i] = BigInt(drained.tsMs[r]!);
      key[i] = name;
      value[i] = vals[j]!;
    }
  }
  for (const [r, name, t] of drained.texts) {
    step[i] = BigInt(drained.steps[r]!);
    ts[i] = BigInt(drained.tsMs[r]!);
    key[i] = name;
    (value as Array<number | null>)[i] = null;
    text[i] = t;
    i++;
  }
  const writer = new ByteWriter();
  parquetWrite({
    writer,
    columnData: [
      // As pyarrow writes them for the Python SDK: dictionary pages for `key` only, plain elsewhere
      // (the writer would otherwise try dictionaries on step and ts too, which costs more than it saves),
      // and statistics only where readers prune by them (step ranges).
      { name: "step", data: step, nullable: false, encoding: "PLAIN" },
      { name: "ts", data: ts, nullable: false, statistics: false, encoding: "PLAIN" },
      { name: "key", data: key, nullable: false, encoding: "RLE_DICTIONARY", statistics: false },
      { name: "value", data: value, statistics: false, encoding: "PLAIN" },
      { name: "attempt", data: new Int32Array(n).fill(attempt), nullable: false, statistics: false },
      { name: "ref", data: nulls, statistics: false },
      { name: "text", data: text, statistics: false },
      { name: "media", data: nulls, statistics: false },
    ],
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the writer's SchemaElement type is wider
    schema: METRIC_PARQUET_SCHEMA as any,
    codec: "SNAPPY",
    rowGroupSize: 1_048_576, // lake_schema.json parquet.row_group_rows
    kvMetadata: [{ key: "ARROW:schema", value: METRIC_ARROW_SCHEMA }],
    createdBy: "wanllmdb-sdk-ts (hyparquet-writer)",
  });
  return new Uint8Array(writer.getBuffer());
}
