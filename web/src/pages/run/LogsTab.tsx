import { useEffect, useRef, useState } from "react";
import { useVirtualizer } from "@tanstack/react-virtual";
import { api, unwrap } from "../../api/client";
import type { LogLine, Run } from "../../api/types";
import { Empty, ErrorBanner, Loading } from "../../components/status";
import { useDebounced } from "../../hooks/useDebounced";

const PAGE = 2000;
const TAIL_MS = 3000;

/**
 * Console output, virtualized so a million lines scroll smoothly. The search runs on the server.
 * While the run is live, new lines are fetched from the last offset and the view follows the tail.
 */
export function LogsTab({ run }: { run: Run }) {
  const [search, setSearch] = useState("");
  const q = useDebounced(search, 300);
  const [lines, setLines] = useState<LogLine[]>([]);
  const [error, setError] = useState<unknown>();
  const [skipped, setSkipped] = useState<string[]>([]);
  const [loading, setLoading] = useState(true);
  const [follow, setFollow] = useState(run.state === "running");
  const offset = useRef(0);
  const scroller = useRef<HTMLDivElement>(null);

  useEffect(() => {
    let live = true;
    offset.current = 0;
    setLines([]);
    setSkipped([]);
    setLoading(true);
    setError(undefined);
    const pull = async () => {
      // Drain what exists now, page by page; later pulls continue from the last offset.
      for (;;) {
        const page = await unwrap(
          api.GET("/api/runs/{run_id}/logs", {
            params: {
              path: { run_id: run.id },
              query: { offset: offset.current, limit: PAGE, search: q || undefined, project_id: run.project_id },
            },
          }),
        );
        if (!live) return;
        if (page.lines.length) setLines((l) => l.concat(page.lines));
        // Unreadable log objects are skipped by the server and named, never silently dropped.
        if (page.warnings?.length) setSkipped(page.warnings);
        // Without a next_offset the server has nothing more now; the tail resumes after what we got.
        offset.current = page.next_offset ?? offset.current + page.lines.length;
        if (page.next_offset == null || page.lines.length < PAGE) return;
      }
    };
    // One pull at a time: an overlapping tail poll would fetch the same offset twice.
    let busy = true;
    pull()
      .catch((e) => live && setError(e))
      .finally(() => {
        busy = false;
        if (live) setLoading(false);
      });
    const tail = () => {
      if (busy) return;
      busy = true;
      pull()
        .catch(() => undefined)
        .finally(() => (busy = false));
    };
    const timer = run.state === "running" ? setInterval(tail, TAIL_MS) : undefined;
    return () => {
      live = false;
      if (timer) clearInterval(timer);
    };
  }, [run.id, run.state, q]);

  const virt = useVirtualizer({ count: lines.length, getScrollElement: () => scroller.current, estimateSize: () => 20, overscan: 30 });
  useEffect(() => {
    if (follow && lines.length) virt.scrollToIndex(lines.length - 1, { align: "end" });
  }, [lines.length, follow, virt]);

  return (
    <div className="logs">
      <div className="logs-bar">
        <input className="search" placeholder="Search logs" value={search} onChange={(e) => setSearch(e.target.value)} aria-label="Search logs" />
        <label>
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} /> Follow tail
        </label>
        <span className="muted small" data-testid="log-count">
          {lines.length} {lines.length === 1 ? "line" : "lines"}
        </span>
      </div>
      <ErrorBanner error={error} />
      {skipped.length > 0 && (
        <div className="warning-banner" role="status">
          Some console output could not be read and is missing here: {skipped.join("; ")}
        </div>
      )}
      {loading && lines.length === 0 ? (
        <Loading what="Loading logs" />
      ) : lines.length === 0 ? (
        <Empty title={q ? `No line matches “${q}”` : "No console output"} />
      ) : (
        <div className="logs-scroller" ref={scroller} data-testid="logs">
          <div style={{ height: virt.getTotalSize(), position: "relative" }}>
            {virt.getVirtualItems().map((vi) => {
              const l = lines[vi.index];
              return (
                <div key={vi.key} className={`log-line${l.stream === "stderr" ? " stderr" : ""}`} style={{ transform: `translateY(${vi.start}px)` }}>
                  <span className="log-no">{l.line + 1}</span>
                  <span className="log-text">{l.text}</span>
                </div>
              );
            })}
          </div>
        </div>
      )}
    </div>
  );
}
