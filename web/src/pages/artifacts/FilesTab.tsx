import { useEffect, useRef, useState } from "react";
import { useSearchParams } from "react-router";
import { useQueries, useQuery } from "@tanstack/react-query";
import { useVirtualizer } from "@tanstack/react-virtual";
import type { FileEntry, FileSource } from "../../api/artifacts";
import { Empty, ErrorBanner } from "../../components/status";
import { useDebounced } from "../../hooks/useDebounced";
import { filePageQuery } from "../../queries/artifacts";
import type { TreeRow } from "../../shaping/fileTree";
import { formatBytes } from "../../shaping/units";
import { FilePreview } from "./FilePreview";
import { useFileTree } from "./useFileTree";

const ROW_PX = 26;

/** The version's files: a folder tree (or a flat list under a prefix) beside the chosen file's preview.
 * `source` is an artifact version's files or a registered version's (the same manifest, read through the registry). */
export function FilesTab({ source, fileCount }: { source: FileSource; fileCount: number }) {
  const [params, setParams] = useSearchParams();
  const selected = params.get("path");
  const [mode, setMode] = useState<"tree" | "flat">("tree");
  const [prefix, setPrefix] = useState("");
  const select = (path: string) =>
    setParams(
      (p) => {
        p.set("path", path);
        return p;
      },
      { replace: true },
    );
  if (fileCount === 0) return <Empty title="This version has no files" />;
  return (
    <div className="art-files">
      <div className="art-browser">
        <div className="art-browser-bar">
          <div className="art-mode" role="group" aria-label="View">
            <button className={`btn btn-small${mode === "tree" ? " btn-primary" : ""}`} onClick={() => setMode("tree")} aria-pressed={mode === "tree"}>
              Tree
            </button>
            <button className={`btn btn-small${mode === "flat" ? " btn-primary" : ""}`} onClick={() => setMode("flat")} aria-pressed={mode === "flat"}>
              List
            </button>
          </div>
          {mode === "flat" && (
            <input className="art-prefix" placeholder="Path prefix" value={prefix} onChange={(e) => setPrefix(e.target.value)} aria-label="Path prefix" />
          )}
          <span className="muted small">{fileCount.toLocaleString("en-US")} files</span>
        </div>
        {mode === "tree" ? (
          <TreeView source={source} selected={selected} onSelect={select} />
        ) : (
          <FlatView source={source} prefix={prefix} selected={selected} onSelect={select} />
        )}
      </div>
      <div className="art-preview">
        {selected ? <FilePreview key={selected} source={source} path={selected} /> : <Empty title="Choose a file">Text, images, CSV and Parquet heads preview here.</Empty>}
      </div>
    </div>
  );
}

function TreeView({ source, selected, onSelect }: { source: FileSource; selected: string | null; onSelect: (path: string) => void }) {
  // The tree opens the folders down to a deep-linked file once; later selections keep what is open.
  const [initial] = useState(selected);
  const tree = useFileTree(source, initial);
  const scroller = useRef<HTMLDivElement>(null);
  const virt = useVirtualizer({ count: tree.rows.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_PX, overscan: 20 });
  const items = virt.getVirtualItems();
  // Folders whose `more` row is on screen (or within the overscan) read their next page.
  const wanted = items
    .map((i) => tree.rows[i.index])
    .filter((r): r is Extract<TreeRow<FileEntry>, { kind: "more" }> => r?.kind === "more")
    .map((r) => `${r.loaded}\u0000${r.prefix}`)
    .join("\u0001");
  const { loadMore } = tree;
  useEffect(() => {
    if (!wanted) return;
    for (const key of wanted.split("\u0001")) loadMore(key.slice(key.indexOf("\u0000") + 1));
  }, [wanted, loadMore]);
  return (
    <>
      {tree.error ? (
        <ErrorBanner error={tree.error} onRetry={() => wanted.split("\u0001").forEach((k) => loadMore(k.slice(k.indexOf("\u0000") + 1)))} />
      ) : null}
      <div className="art-tree" ref={scroller} data-testid="file-tree" role="tree" aria-label="Files">
        <div style={{ height: virt.getTotalSize(), position: "relative" }}>
          {items.map((item) => {
            const row = tree.rows[item.index];
            return (
              <div key={item.key} className="art-row" style={{ transform: `translateY(${item.start}px)`, height: ROW_PX, paddingLeft: 8 + row.depth * 16 }}>
                <TreeRowView row={row} selected={selected} onSelect={onSelect} onToggle={tree.toggle} />
              </div>
            );
          })}
        </div>
      </div>
    </>
  );
}

function TreeRowView({
  row,
  selected,
  onSelect,
  onToggle,
}: {
  row: TreeRow<FileEntry>;
  selected: string | null;
  onSelect: (path: string) => void;
  onToggle: (folder: string) => void;
}) {
  if (row.kind === "more")
    return (
      <span className="muted small art-more" data-more={row.prefix}>
        <span className="spinner" /> {row.loaded ? `${row.loaded.toLocaleString("en-US")} shown, reading more…` : "Reading…"}
      </span>
    );
  if (row.kind === "folder") {
    const f = row.folder;
    return (
      <button className="art-node art-folder" onClick={() => onToggle(f.path)} aria-expanded={row.open} data-folder={f.path} role="treeitem">
        <span className={`caret${row.open ? " open" : ""}`}>▸</span>
        <span className="mono">{f.name}/</span>
        <span className="muted small">{f.count.toLocaleString("en-US")}</span>
      </button>
    );
  }
  const { file } = row;
  return (
    <button
      className={`art-node art-file${file.path === selected ? " selected" : ""}`}
      onClick={() => onSelect(file.path)}
      data-file={file.path}
      role="treeitem"
      aria-selected={file.path === selected}
    >
      <span className="mono">{file.name}</span>
      <span className="muted small">{file.entry.size != null ? formatBytes(file.entry.size) : "ref"}</span>
    </button>
  );
}

const FLAT_PAGE = 500;

/** Every entry under a prefix as one list, read by page where it is scrolled to (any of 1M rows at once). */
function FlatView({ source, prefix, selected, onSelect }: { source: FileSource; prefix: string; selected: string | null; onSelect: (path: string) => void }) {
  const p = useDebounced(prefix, 250);
  const first = useQuery(filePageQuery(source, p, 0, FLAT_PAGE));
  const total = first.data?.total ?? 0;
  const scroller = useRef<HTMLDivElement>(null);
  const virt = useVirtualizer({ count: total, getScrollElement: () => scroller.current, estimateSize: () => ROW_PX, overscan: 20 });
  const items = virt.getVirtualItems();
  // While the scrollbar is dragged, only the pages where it stops are read.
  const pages = useDebounced([...new Set(items.map((i) => Math.floor(i.index / FLAT_PAGE)))].join(","), 80);
  const loaded = useQueries({
    queries: (pages ? pages.split(",").map(Number) : []).map((n) => filePageQuery(source, p, n * FLAT_PAGE, FLAT_PAGE)),
  });
  const byPage = new Map<number, FileEntry[]>();
  if (first.data) byPage.set(0, first.data.entries);
  for (const q of loaded) if (q.data) byPage.set(Math.floor(q.data.offset / FLAT_PAGE), q.data.entries);
  return (
    <>
      <ErrorBanner error={first.error ?? loaded.find((q) => q.error)?.error} />
      {first.data && total === 0 && <div className="muted small art-none">No file starts with “{p}”.</div>}
      <div className="art-tree" ref={scroller} data-testid="file-list">
        <div style={{ height: virt.getTotalSize(), position: "relative" }}>
          {items.map((item) => {
            const entry = byPage.get(Math.floor(item.index / FLAT_PAGE))?.[item.index % FLAT_PAGE];
            return (
              <div key={item.key} className="art-row" style={{ transform: `translateY(${item.start}px)`, height: ROW_PX, paddingLeft: 8 }}>
                {entry ? (
                  <button className={`art-node art-file${entry.path === selected ? " selected" : ""}`} onClick={() => onSelect(entry.path)} data-file={entry.path}>
                    <span className="mono">{entry.path}</span>
                    <span className="muted small">{entry.size != null ? formatBytes(entry.size) : "ref"}</span>
                  </button>
                ) : (
                  <span className="muted small">…</span>
                )}
              </div>
            );
          })}
        </div>
      </div>
    </>
  );
}
