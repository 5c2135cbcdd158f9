import { useState } from "react";
import { Link } from "react-router";
import { useInfiniteQuery } from "@tanstack/react-query";
import type { ActivityFilter, ActivityPage } from "../../api/orgs";
import { Empty, ErrorBanner, Loading } from "../../components/status";
import { useDebounced } from "../../hooks/useDebounced";
import { objectPath } from "../links/objectPath";
import { when } from "./format";

const KINDS = ["", "run.", "project.", "org.", "member.", "team.", "view.", "artifact."];

interface Props {
  /** Distinguishes this feed's cache entry (["activity", "org", name] or ["activity", "project", id]). */
  scope: readonly string[];
  load: (filter: ActivityFilter) => Promise<ActivityPage>;
}

/** An activity feed from the audit store, newest first, paged, filtered by actor, kind and time. */
export function ActivityCard({ scope, load }: Props) {
  const [actor, setActor] = useState("");
  const [kind, setKind] = useState("");
  const [since, setSince] = useState("");
  const who = useDebounced(actor.trim(), 300);
  const filter: ActivityFilter = {
    actor: who || undefined,
    kind: kind || undefined,
    since: since ? new Date(`${since}T00:00:00`).toISOString() : undefined,
    limit: 50,
  };
  const feed = useInfiniteQuery({
    queryKey: ["activity", ...scope, filter],
    queryFn: ({ pageParam }) => load({ ...filter, cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const lines = feed.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <section className="settings-card" aria-labelledby="activity-head">
      <h2 id="activity-head">Activity</h2>
      <div className="settings-row">
        <input placeholder="Actor (username)" aria-label="Filter by actor" value={actor} onChange={(e) => setActor(e.target.value)} />
        <select aria-label="Filter by kind" value={kind} onChange={(e) => setKind(e.target.value)}>
          {KINDS.map((k) => (
            <option key={k} value={k}>
              {k ? `${k.slice(0, -1)} changes` : "All kinds"}
            </option>
          ))}
        </select>
        <label className="small muted">
          Since <input type="date" aria-label="Since" value={since} onChange={(e) => setSince(e.target.value)} />
        </label>
      </div>
      <ErrorBanner error={feed.error} onRetry={() => void feed.refetch()} />
      {feed.isPending ? (
        <Loading what="Loading activity" />
      ) : lines.length === 0 ? (
        <Empty title={who || kind || since ? "No activity matches" : "No activity yet"} />
      ) : (
        <ul className="activity-list" data-testid="activity-list">
          {lines.map((line, i) => {
            const to = objectPath(line.link, line.project_id);
            return (
              <li key={`${line.time}-${i}`} data-kind={line.kind}>
                <span className="muted small">{when(line.time)}</span> <strong>{line.actor ?? "system"}</strong>{" "}
                <span className="activity-kind">{line.kind}</span>{" "}
                {line.object && (to ? <Link to={to}>{line.object}</Link> : <span className="mono small">{line.object}</span>)}
              </li>
            );
          })}
        </ul>
      )}
      {feed.hasNextPage && (
        <button className="btn" onClick={() => void feed.fetchNextPage()} disabled={feed.isFetchingNextPage}>
          Older activity
        </button>
      )}
    </section>
  );
}
