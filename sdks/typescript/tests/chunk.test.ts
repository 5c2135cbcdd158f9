// The chunk the SDK writes is the chunk the Python SDK writes: pyarrow reads it with the lake's
// metric schema (schemas/lake_schema.json, as sdk/wanllmdb/schema.py builds it), key as dictionary.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MetricBuffer } from "../src/buffer.js";
import { chunkRows, encodeMetricChunk, METRIC_ARROW_SCHEMA } from "../src/chunk.js";
import { python } from "./env.js";

describe("metric chunk", () => {
  it("matches the lake schema exactly, values and nulls included", () => {
    const buf = new MetricBuffer();
    buf.addRow(0, 1_700_000_000_000, new Map([["loss", 1.5], ["acc", NaN]]), new Map([["phase", "train"]]));
    for (let s = 1; s < 4; s++) expect(buf.tryAddNumbers(s, 1_700_000_000_000 + s, { loss: s, acc: Infinity })).toBe(true);
    const path = join(mkdtempSync(join(tmpdir(), "ts-chunk-")), "c.parquet");
    writeFileSync(path, encodeMetricChunk(chunkRows(buf.drain()!).rows, 7));
    const out = python<{ same: boolean; schema: string; rows: Record<string, unknown[]>; encodings: string[]; polars: number }>([
      "-c",
      `import json, pyarrow.parquet as pq, polars as pl
from wanllmdb.schema import metric_schema
from wanllmdb_functions.lake.schema import conform_metrics
t = pq.read_table(${JSON.stringify(path)})
d = t.to_pydict()
rows = {k: [repr(v) if isinstance(v, float) else str(v) if v is not None else None for v in d[k]] for k in ("step", "key", "value", "attempt", "text", "ref", "media")}
rows["ts"] = [v.isoformat() for v in d["ts"]]
print(json.dumps({"same": t.schema.remove_metadata().equals(metric_schema()), "schema": str(t.schema.remove_metadata()), "rows": rows,
  "encodings": list(pq.ParquetFile(${JSON.stringify(path)}).metadata.row_group(0).column(2).encodings),
  "polars": conform_metrics(pl.read_parquet(${JSON.stringify(path)})).height}))`,
    ]);
    expect(out.same, out.schema).toBe(true);
    expect(out.encodings).toContain("RLE_DICTIONARY");
    expect(out.polars).toBe(9);
    expect(out.rows["key"]).toEqual(["loss", "loss", "loss", "loss", "acc", "acc", "acc", "acc", "phase"]);
    expect(out.rows["value"]).toEqual(["1.5", "1.0", "2.0", "3.0", "nan", "inf", "inf", "inf", null]);
    expect(out.rows["step"]).toEqual(["0", "1", "2", "3", "0", "1", "2", "3", "0"]);
    expect(out.rows["text"]).toEqual([null, null, null, null, null, null, null, null, "train"]);
    expect(out.rows["attempt"]).toEqual(Array(9).fill("7"));
    expect(out.rows["ref"]).toEqual(Array(9).fill(null));
    expect(out.rows["ts"]![0]).toBe("2023-11-14T22:13:20+00:00");
  });

  it("carries the Arrow schema pyarrow writes for lake_schema.json's metric columns", () => {
    const fromPython = python<string>([
      "-c",
      `import json, pyarrow as pa, pyarrow.parquet as pq
from wanllmdb.schema import metric_schema
sink = pa.BufferOutputStream(); pq.write_table(metric_schema().empty_table(), sink)
print(json.dumps(pq.read_metadata(pa.BufferReader(sink.getvalue())).metadata[b"ARROW:schema"].decode()))`,
    ]);
    expect(METRIC_ARROW_SCHEMA).toBe(fromPython);
  });
});
