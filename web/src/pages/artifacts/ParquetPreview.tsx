// The head of a Parquet file, read in the browser with hyparquet through ranged GETs of the presigned
// URL: the footer, then the first row group's column chunks up to the first rows. A byte budget
// stops a file whose first row group is huge before it is downloaded. This module is its own chunk.
import { useQuery } from "@tanstack/react-query";
import { decompress } from "fzstd";
import { asyncBufferFromUrl, parquetMetadataAsync, parquetReadObjects, parquetSchema, type AsyncBuffer, type FileMetaData } from "hyparquet";
import { ErrorBanner, Loading } from "../../components/status";
import { formatCell } from "../../shaping/preview";
import { formatBytes } from "../../shaping/units";
import { HeadTable } from "./HeadTable";
import { isPacked, readRange, type EntrySource } from "./entryBytes";

export const PARQUET_ROWS = 50;
/** The most a preview downloads of one Parquet file. */
export const PARQUET_BUDGET = 16 * 1024 * 1024;

interface ParquetHead {
  columns: string[];
  types: string[];
  rows: string[][];
  numRows: number;
  /** Why no rows are shown, when the first row group is over the budget. */
  skipped: string | null;
}

/** An AsyncBuffer that refuses to read more than `budget` bytes in all. */
function budgeted(file: AsyncBuffer, budget: number): AsyncBuffer {
  let spent = 0;
  return {
    byteLength: file.byteLength,
    slice(start, end) {
      spent += (end ?? file.byteLength) - start;
      if (spent > budget) throw new Error(`the preview reads at most ${formatBytes(budget)} of a Parquet file`);
      return file.slice(start, end);
    },
  };
}

const firstGroupBytes = (meta: FileMetaData): number =>
  (meta.row_groups[0]?.columns ?? []).reduce((n, c) => n + Number(c.meta_data?.total_compressed_size ?? 0), 0);

/** The file as hyparquet reads it: straight from its object, or from its window of a pack. */
async function source(src: EntrySource, size: number): Promise<AsyncBuffer> {
  if (!isPacked(src)) return asyncBufferFromUrl({ url: src.url, byteLength: size, requestInit: { credentials: "omit" } });
  return { byteLength: size, slice: (start, end) => readRange(src, start, end ?? size) };
}

async function readHead(src: EntrySource, size: number): Promise<ParquetHead> {
  const file = budgeted(await source(src, size), PARQUET_BUDGET);
  const metadata = await parquetMetadataAsync(file);
  const schema = parquetSchema(metadata);
  const columns = schema.children.map((c) => c.element.name);
  const types = schema.children.map((c) => c.element.logical_type?.type ?? c.element.converted_type ?? c.element.type ?? "group");
  const numRows = Number(metadata.num_rows);
  const groupBytes = firstGroupBytes(metadata);
  if (groupBytes > PARQUET_BUDGET / 2)
    return { columns, types, rows: [], numRows, skipped: `Its first row group is ${formatBytes(groupBytes)}; the preview reads at most ${formatBytes(PARQUET_BUDGET / 2)}.` };
  const objects = await parquetReadObjects({
    file,
    metadata,
    rowStart: 0,
    rowEnd: Math.min(PARQUET_ROWS, numRows),
    // Snappy is built in; ZSTD (Polars' default) through fzstd, which the point clouds already use.
    compressors: { ZSTD: (input, length) => decompress(input, new Uint8Array(length)) },
  });
  const rows = objects.map((o) => columns.map((c) => formatCell(o[c])));
  return { columns, types, rows, numRows, skipped: null };
}

export default function ParquetPreview({ src, size }: { src: EntrySource; size: number }) {
  const head = useQuery({ queryKey: ["artifact-parquet-head", src.url, src.offset], queryFn: () => readHead(src, size), staleTime: Infinity, retry: false });
  if (!head.data) return head.error ? <ErrorBanner error={head.error} /> : <Loading what="Reading Parquet" />;
  const h = head.data;
  const note = `${h.numRows.toLocaleString("en-US")} rows, ${h.columns.length} columns${h.rows.length < h.numRows ? `; the first ${h.rows.length}` : ""}.`;
  return (
    <>
      <div className="art-schema small" data-testid="parquet-schema">
        {h.columns.map((c, i) => (
          <span key={c} className="tag">
            {c} <span className="muted">{String(h.types[i]).toLowerCase()}</span>
          </span>
        ))}
      </div>
      {h.skipped ? <div className="muted">{h.skipped}</div> : <HeadTable columns={h.columns} rows={h.rows} note={note} />}
    </>
  );
}
