import { useEffect, useRef, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { useVirtualizer } from "@tanstack/react-virtual";
import type { Run } from "../../api/types";
import { Empty, ErrorBanner, Loading } from "../../components/status";
import { useDebounced } from "../../hooks/useDebounced";
import { logTailQuery } from "../../queries/logs";
import "./run.css";

const NO_LINES: never[] = [];
const TS_KEY = "wanllmdb.logs.timestamps";

/** A line's time in the viewer's zone, to the millisecond: 2024-05-01 12:34:56.789. */
export function formatLogTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

/** Whether timestamps are shown: on unless the user turned them off (remembered in this browser). */
function useShowTimes(): [boolean, (on: boolean) => void] {
  const [on, setOn] = useState(() => localStorage.getItem(TS_KEY) !== "off");
  const set = (v: boolean) => {
    localStorage.setItem(TS_KEY, v ? "on" : "off");
    setOn(v);
  };
  return [on, set];
}

/**
 * Console output, virtualized so a million lines scroll smoothly. The search runs on the server.
 * While the run is live, new lines are fetched from the last offset and the view follows the tail.
 */
export function LogsTab({ run }: { run: Run }) {
  const [search, setSearch] = useState("");
  const q = useDebounced(search, 300);
  const log = useQuery(logTailQuery(run, q));
  const lines = log.data?.lines ?? NO_LINES;
  const skipped = log.data?.warnings ?? NO_LINES;
  const [follow, setFollow] = useState(run.state === "running");
  const [showTimes, setShowTimes] = useShowTimes();
  const scroller = useRef<HTMLDivElement>(null);

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
        <label>
          <input type="checkbox" checked={showTimes} onChange={(e) => setShowTimes(e.target.checked)} /> Timestamps
        </label>
        <span className="muted small" data-testid="log-count">
          {lines.length} {lines.length === 1 ? "line" : "lines"}
        </span>
      </div>
      {/* A failed tail poll keeps the lines shown and is retried on the next tick. */}
      <ErrorBanner error={log.data ? undefined : log.error} />
      {skipped.length > 0 && (
        <div className="warning-banner" role="status">
          Some console output could not be read and is missing here: {skipped.join("; ")}
        </div>
      )}
      {log.isPending ? (
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
                  {showTimes && (
                    <time className="log-ts" dateTime={l.ts} title={l.ts}>
                      {formatLogTime(l.ts)}
                    </time>
                  )}
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
