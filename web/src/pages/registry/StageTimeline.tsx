import { Link } from "react-router";
import { useQuery } from "@tanstack/react-query";
import { Empty, ErrorBanner, Loading } from "../../components/status";
import { timelineQuery } from "../../queries/registry";
import { describeEntry, timelineByDay } from "../../shaping/registry";

/** Every stage, alias and request event of a model, newest first, by day. */
export function StageTimeline({ registry, model, link }: { registry: string; model: string; link: (version: string) => string }) {
  const timeline = useQuery(timelineQuery(registry, model));
  if (!timeline.data) return timeline.error ? <ErrorBanner error={timeline.error} onRetry={() => void timeline.refetch()} /> : <Loading what="Loading timeline" />;
  if (timeline.data.length === 0) return <Empty title="Nothing has happened yet" />;
  return (
    <ol className="reg-timeline" data-testid="timeline">
      {timelineByDay(timeline.data).map((day) => (
        <li key={day.day}>
          <div className="reg-day muted small">{day.day}</div>
          <ul>
            {day.entries.map((e, i) => (
              <li key={`${e.at}-${i}`} className={`reg-event reg-event-${e.kind}`} data-kind={e.kind} data-version={e.version}>
                <span className="reg-dot" aria-hidden />
                <div>
                  <Link to={link(e.version)}>{describeEntry(e)}</Link>
                  <div className="muted small">
                    {new Date(e.at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })} · {e.by}
                  </div>
                  {e.comment && <div className="reg-comment">{e.comment}</div>}
                </div>
              </li>
            ))}
          </ul>
        </li>
      ))}
    </ol>
  );
}
