import { useEffect, useMemo, useRef, useState } from "react";
import { Link } from "react-router";
import { useQueryClient } from "@tanstack/react-query";
import { columnFor } from "../table/columns";
import { RunsGrid } from "../table/RunsGrid";
import { useRunPages } from "../table/useRunPages";
import { Empty, ErrorBanner, Loading } from "../../components/status";

interface Props {
  projectId: string;
  sweepId: string;
  base: string;
  params: string[];
  metric: string | undefined;
  /** Changes whenever a trial ends, so the table reads its runs again. */
  progress: string;
}

/** The runs table (the same grid, server-sorted), filtered to the sweep's trials. */
export function SweepRuns({ projectId, sweepId, base, params, metric, progress }: Props) {
  const qc = useQueryClient();
  const [order, setOrder] = useState(metric ? `summary.${metric}` : "-created_at");
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const query = useMemo(() => ({ sweep: sweepId, order }), [sweepId, order]);
  const { runs, total, error, loading, loadMore, hasMore } = useRunPages(projectId, query);
  const seen = useRef(progress);
  useEffect(() => {
    if (seen.current === progress) return;
    seen.current = progress;
    void qc.invalidateQueries({ queryKey: ["projects", projectId, "runs", "pages", query] });
  }, [progress, qc, projectId, query]);
  const columns = useMemo(
    () => ["name", "state", "created_at", "runtime", ...params.map((p) => `config.${p}`), ...(metric ? [`summary.${metric}`] : [])].map(columnFor),
    [params, metric],
  );
  const pinned = useMemo(() => new Set(["name"]), []);
  const toggle = (id: string) => {
    const next = new Set(selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setSelected(next);
  };
  return (
    <section className="card sweep-card sweep-runs" data-testid="sweep-runs">
      <h2>
        Runs <span className="muted count">{total ?? runs.length}</span>
        {selected.size > 0 && (
          <Link className="btn btn-small sweep-compare" to={`${base}/workspace?runs=${[...selected].join(",")}`}>
            Compare {selected.size} in workspace
          </Link>
        )}
      </h2>
      <ErrorBanner error={error} onRetry={loadMore} />
      {runs.length === 0 && loading ? (
        <Loading what="Loading runs" />
      ) : runs.length === 0 ? (
        <Empty title="No trial has started yet" />
      ) : (
        <div className="sweep-grid">
          <RunsGrid
            runs={runs}
            columns={columns}
            pinned={pinned}
            order={order}
            selected={selected}
            base={base}
            hasMore={!!hasMore}
            onNeedMore={loadMore}
            onSort={(f) => setOrder(order === `-${f}` ? f : `-${f}`)}
            onToggle={toggle}
            onToggleAll={() => setSelected(runs.every((r) => selected.has(r.id)) ? new Set() : new Set(runs.map((r) => r.id)))}
          />
        </div>
      )}
    </section>
  );
}
