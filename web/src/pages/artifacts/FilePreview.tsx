import { useEffect, useMemo, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import type { FileEntry, FileSource } from "../../api/artifacts";
import { ErrorBanner, Loading } from "../../components/status";
import { lazyComponent } from "../../components/lazyComponent";
import { fileUrlQuery } from "../../queries/artifacts";
import { parseCsvHead } from "../../shaping/csvHead";
import { looksBinary, previewKind, type PreviewKind } from "../../shaping/preview";
import { formatBytes } from "../../shaping/units";
import { fetchHead, fetchPacked, isPacked, type EntrySource } from "./entryBytes";
import { HeadTable } from "./HeadTable";

// hyparquet (and fzstd for ZSTD pages) load only when a Parquet file is previewed.
const ParquetPreview = lazyComponent(() => import("./ParquetPreview"), "Loading the Parquet reader");

/** How much of a file a preview reads: enough for a screen of text or rows, never the whole of a big file. */
export const TEXT_CAP = 256 * 1024;
export const CSV_CAP = 64 * 1024;
export const SVG_CAP = 1024 * 1024;
export const CSV_ROWS = 50;

/**
 * One file's preview. User content is shown as data only: text as a text node in <pre>, CSV as
 * table cells, images as <img> of the presigned URL (an SVG as an <img> of a blob: an <img> runs
 * no script). Nothing is ever parsed as the dashboard's HTML.
 */
export function FilePreview({ source, path }: { source: FileSource; path: string }) {
  const entry = useQuery(fileUrlQuery(source, path));
  const name = path.slice(path.lastIndexOf("/") + 1);
  const kind = previewKind(path);
  return (
    <div className="art-preview-body" data-preview={path} data-kind={kind}>
      <div className="art-preview-head">
        <span className="mono art-preview-path">{path}</span>
        {entry.data?.size != null && <span className="muted small">{formatBytes(entry.data.size)}</span>}
        {entry.data?.url && <DownloadLink src={sourceOf(entry.data, entry.data.url)} name={name} />}
      </div>
      {!entry.data ? (
        entry.error ? (
          <ErrorBanner error={entry.error} onRetry={() => void entry.refetch()} />
        ) : (
          <Loading what="Loading file" />
        )
      ) : !entry.data.url ? (
        <div className="muted">
          A reference, not stored here: <span className="mono">{entry.data.ref ?? "—"}</span>
        </div>
      ) : (
        <PreviewBody src={sourceOf(entry.data, entry.data.url)} kind={kind} name={name} />
      )}
    </div>
  );
}

const sourceOf = (entry: FileEntry, url: string): EntrySource => ({ url, offset: entry.offset, size: entry.size });

/** A packed file's bytes as an object URL (the pack's URL would download every file in it). */
function usePackedUrl(src: EntrySource, enabled: boolean) {
  const blob = useQuery({
    queryKey: ["artifact-packed-file", src.url, src.offset],
    queryFn: () => fetchPacked(src),
    enabled,
    staleTime: Infinity,
    retry: false,
  });
  const objectUrl = useMemo(() => (blob.data ? URL.createObjectURL(blob.data) : null), [blob.data]);
  useEffect(() => () => (objectUrl ? URL.revokeObjectURL(objectUrl) : undefined), [objectUrl]);
  return { objectUrl, error: blob.error };
}

function DownloadLink({ src, name }: { src: EntrySource; name: string }) {
  const [wanted, setWanted] = useState(false);
  const packed = isPacked(src);
  const { objectUrl, error } = usePackedUrl(src, packed && wanted);
  if (!packed)
    return (
      <a className="btn btn-small" href={src.url} download={name}>
        Download
      </a>
    );
  if (error) return <span className="muted small">The file could not be read.</span>;
  if (!objectUrl)
    return (
      <button type="button" className="btn btn-small" onClick={() => setWanted(true)} disabled={wanted}>
        {wanted ? "Preparing…" : "Download"}
      </button>
    );
  return (
    <a className="btn btn-small" href={objectUrl} download={name}>
      Download
    </a>
  );
}

function ImagePreview({ src, name }: { src: EntrySource; name: string }) {
  const packed = isPacked(src);
  const { objectUrl, error } = usePackedUrl(src, packed);
  if (packed && error) return <ErrorBanner error={error} />;
  const shown = packed ? objectUrl : src.url;
  if (!shown) return <Loading what="Reading" />;
  return (
    <div className="art-image">
      <img src={shown} alt={name} data-testid="preview-image" />
    </div>
  );
}

function PreviewBody({ src, kind, name }: { src: EntrySource; kind: PreviewKind; name: string }) {
  switch (kind) {
    case "image":
      return <ImagePreview src={src} name={name} />;
    case "svg":
      return <SvgPreview src={src} name={name} />;
    case "csv":
    case "tsv":
      return <CsvPreview src={src} delimiter={kind === "tsv" ? "\t" : ","} />;
    case "parquet":
      return <ParquetPreview src={src} size={src.size ?? 0} />;
    default:
      return <TextPreview src={src} json={kind === "json"} />;
  }
}

const headQuery = (src: EntrySource, cap: number) => ({
  // The URL is in the key: a fresh presigned URL for the same file reads it again, which is rare.
  queryKey: ["artifact-file-head", src.url, src.offset, cap],
  queryFn: () => fetchHead(src, cap),
  staleTime: Infinity,
  retry: false,
});

function TextPreview({ src, json }: { src: EntrySource; json: boolean }) {
  const size = src.size;
  const head = useQuery(headQuery(src, TEXT_CAP));
  const text = useMemo(() => {
    if (!head.data || looksBinary(head.data.bytes)) return null;
    const raw = new TextDecoder("utf-8").decode(head.data.bytes);
    if (json && !head.data.truncated) {
      try {
        return JSON.stringify(JSON.parse(raw), null, 2);
      } catch {
        return raw;
      }
    }
    return raw;
  }, [head.data, json]);
  if (!head.data) return head.error ? <ErrorBanner error={head.error} /> : <Loading what="Reading" />;
  if (text === null) return <div className="muted">A binary file: no preview. Download it to open it.</div>;
  return (
    <>
      {head.data.truncated && <div className="muted small">The first {formatBytes(head.data.bytes.length)} of {size != null ? formatBytes(size) : "the file"}.</div>}
      <pre className="art-text" data-testid="preview-text">
        {text}
      </pre>
    </>
  );
}

function CsvPreview({ src, delimiter }: { src: EntrySource; delimiter: string }) {
  const head = useQuery(headQuery(src, CSV_CAP));
  const table = useMemo(
    () => (head.data ? parseCsvHead(new TextDecoder("utf-8").decode(head.data.bytes), { maxRows: CSV_ROWS, truncated: head.data.truncated, delimiter }) : null),
    [head.data, delimiter],
  );
  if (!table) return head.error ? <ErrorBanner error={head.error} /> : <Loading what="Reading" />;
  return <HeadTable columns={table.header} rows={table.rows} note={table.more ? `The first ${table.rows.length} rows.` : `${table.rows.length} rows.`} />;
}

function SvgPreview({ src, name }: { src: EntrySource; name: string }) {
  const head = useQuery(headQuery(src, SVG_CAP));
  // The store serves an SVG as a download (octet-stream), which <img> does not draw; a blob typed as
  // SVG does, and an <img> never runs an SVG's scripts or loads what it links.
  const blobUrl = useMemo(
    () => (head.data && !head.data.truncated ? URL.createObjectURL(new Blob([head.data.bytes.slice()], { type: "image/svg+xml" })) : null),
    [head.data],
  );
  useEffect(() => () => (blobUrl ? URL.revokeObjectURL(blobUrl) : undefined), [blobUrl]);
  if (!head.data) return head.error ? <ErrorBanner error={head.error} /> : <Loading what="Reading" />;
  if (!blobUrl) return <div className="muted">An SVG over {formatBytes(SVG_CAP)}: download it to open it.</div>;
  return (
    <div className="art-image">
      <img src={blobUrl} alt={name} data-testid="preview-image" />
    </div>
  );
}
