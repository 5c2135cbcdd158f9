import { useCallback, useMemo } from "react";
import { useInfiniteQuery } from "@tanstack/react-query";
import type { RunQuery } from "../../api/runs";
import { runPagesQuery } from "../../queries/runs";

/**
 * Pages through the server-sorted, server-filtered runs as the table scrolls. A new query starts
 * from its first page (or from what the cache holds for it); the pages of other queries are left alone.
 */
export function useRunPages(projectId: string, query: Omit<RunQuery, "cursor" | "perPage">) {
  const { data, error, isFetching, hasNextPage, fetchNextPage, refetch } = useInfiniteQuery(runPagesQuery(projectId, query));
  const runs = useMemo(() => data?.pages.flatMap((p) => p.items) ?? [], [data]);
  // The server counts the matches when it can; the last page that said so has the latest count.
  const total = useMemo(() => {
    const counted = (data?.pages ?? []).filter((p) => typeof p.total === "number");
    return counted.length ? counted[counted.length - 1].total! : null;
  }, [data]);
  const loaded = data !== undefined;
  // Stable while nothing arrives, so a failed page is asked for again on the next scroll or Retry,
  // not in a loop; a call while a page is in flight joins it (cancelRefetch: false).
  const loadMore = useCallback(() => {
    if (!loaded) void refetch();
    else if (hasNextPage) void fetchNextPage({ cancelRefetch: false });
  }, [loaded, hasNextPage, fetchNextPage, refetch]);
  return { runs, total, error, loading: isFetching, loadMore, hasMore: hasNextPage };
}
