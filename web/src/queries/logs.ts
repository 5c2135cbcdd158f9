import { queryOptions } from "@tanstack/react-query";
import { readRunLogs } from "../api/runs";
import type { LogLine, Run } from "../api/types";
import { runKey } from "./runs";

export const LOG_PAGE = 2000;
/** How often a live run's console is asked for lines after the last one shown. */
export const TAIL_MS = 3000;

/** The console lines read so far, and where the next read starts. */
export interface LogTail {
  lines: LogLine[];
  offset: number;
  /** A full page came back: more lines exist now, and the next page is read at once. */
  more: boolean;
  /** Unreadable log objects the server skipped and named, never silently dropped. */
  warnings: string[];
}

/**
 * Reads one page after what `prev` holds and appends it: the log is append-only, so a tail poll
 * fetches new lines only. Resolves to `prev` itself when nothing is new.
 */
export async function readLogTail(run: Pick<Run, "id" | "project_id">, search: string, prev?: LogTail): Promise<LogTail> {
  const offset = prev?.offset ?? 0;
  const page = await readRunLogs(run, { offset, limit: LOG_PAGE, search });
  // Without a next_offset the server has nothing more now; the tail resumes after what we got.
  const next = page.next_offset ?? offset + page.lines.length;
  const more = page.next_offset != null && page.lines.length >= LOG_PAGE;
  const warnings = page.warnings?.length ? page.warnings : (prev?.warnings ?? []);
  if (prev && page.lines.length === 0 && next === prev.offset && more === prev.more && warnings === prev.warnings) return prev;
  return { lines: prev ? prev.lines.concat(page.lines) : page.lines, offset: next, more, warnings };
}

/**
 * A run's console, optionally searched on the server. Pages are read one after another until the
 * log is drained (so the first lines show at once), then, while the run is live, every 3 s.
 */
export const logTailQuery = (run: Pick<Run, "id" | "project_id" | "state">, search: string) =>
  queryOptions({
    queryKey: [...runKey(run), "logs", search],
    queryFn: ({ client, queryKey }) => readLogTail(run, search, client.getQueryData<LogTail>(queryKey)),
    structuralSharing: false,
    refetchInterval: (query) => {
      const { data, fetchFailureCount } = query.state;
      if (data?.more && fetchFailureCount === 0) return 1;
      return run.state === "running" ? TAIL_MS : false;
    },
  });
