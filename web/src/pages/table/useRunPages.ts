import { useCallback, useEffect, useRef, useState } from "react";
import { fetchRuns, type RunQuery } from "../../api/runs";
import type { Run } from "../../api/types";

// The most the runs route serves per page (per_page <= 200).
const PAGE = 200;

/**
 * Pages through the server-sorted, server-filtered runs as the table scrolls. A new query drops
 * what was loaded; answers to a superseded query are ignored.
 */
export function useRunPages(projectId: string, query: Omit<RunQuery, "cursor" | "perPage">) {
  const key = JSON.stringify(query);
  const [runs, setRuns] = useState<Run[]>([]);
  const [total, setTotal] = useState<number | null>(null);
  const [error, setError] = useState<Error>();
  const [loading, setLoading] = useState(false);
  const cursor = useRef<string | null | undefined>(undefined);
  const inflight = useRef(false);
  const generation = useRef(0);

  const loadMore = useCallback(async () => {
    if (inflight.current || cursor.current === null) return;
    inflight.current = true;
    const gen = generation.current;
    setLoading(true);
    try {
      const page = await fetchRuns(projectId, { ...JSON.parse(key), perPage: PAGE, cursor: cursor.current });
      if (gen !== generation.current) return;
      cursor.current = page.next_cursor ?? null;
      setRuns((r) => r.concat(page.items));
      if (typeof page.total === "number") setTotal(page.total);
      else if (!page.next_cursor) setTotal(null);
    } catch (e) {
      if (gen === generation.current) setError(e as Error);
    } finally {
      if (gen === generation.current) {
        inflight.current = false;
        setLoading(false);
      }
    }
  }, [projectId, key]);

  useEffect(() => {
    generation.current++;
    cursor.current = undefined;
    inflight.current = false;
    setRuns([]);
    setTotal(null);
    setError(undefined);
    void loadMore();
  }, [loadMore]);

  const hasMore = cursor.current !== null;
  return { runs, total, error, loading, loadMore, hasMore };
}
