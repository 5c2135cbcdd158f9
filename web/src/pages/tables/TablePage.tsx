import { Link, useParams, useSearchParams } from "react-router";
import { useQueries } from "@tanstack/react-query";
import { LATEST_STEP } from "../../api/tables";
import { runName } from "../../api/runs";
import { ErrorBanner, Loading } from "../../components/status";
import { useProject } from "../../queries/projects";
import { runQuery } from "../../queries/runs";
import { TableViewer } from "./TableViewer";
import "./tables.css";

/**
 * A logged table on its own page: /:entity/:project/runs/:runId/tables/<key>[?step=&runs=b,c]
 * (`runs` adds other runs that logged the same key, to compare).
 */
export default function TablePage() {
  const { entity = "", project = "", runId = "", "*": key = "" } = useParams();
  const [params] = useSearchParams();
  const proj = useProject(entity, project);
  const step = params.has("step") ? Number(params.get("step")) : LATEST_STEP;
  const ids = [runId, ...(params.get("runs") ?? "").split(",").filter((id) => id && id !== runId)];
  const runs = useQueries({ queries: ids.map((id) => ({ ...runQuery(proj.data?.id ?? "", id), enabled: !!proj.data })) });
  if (proj.error && !proj.data) return <ErrorBanner error={proj.error} />;
  const failed = runs.find((r) => r.error)?.error;
  if (failed) return <ErrorBanner error={failed} />;
  const loaded = runs.flatMap((r) => (r.data ? [r.data] : []));
  if (!proj.data || loaded.length < ids.length) return <Loading what="Loading table" />;
  return (
    <div className="page page-wide">
      <div className="page-head">
        <h1>
          <span className="mono">{key}</span>
        </h1>
        <span className="muted small">
          table of{" "}
          {loaded.map((r, i) => (
            <span key={r.id}>
              {i > 0 && ", "}
              <Link to={`/${entity}/${project}/runs/${r.id}`}>{runName(r)}</Link>
            </span>
          ))}
        </span>
      </div>
      <TableViewer tableKey={key} runs={loaded.map((run) => ({ run, step: Number.isFinite(step) ? step : LATEST_STEP }))} projectId={proj.data.id} height={Math.max(360, window.innerHeight - 260)} />
    </div>
  );
}
