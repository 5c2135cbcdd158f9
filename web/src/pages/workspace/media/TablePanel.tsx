import { Link, useParams } from "react-router";
import type { MediaKey } from "../../../api/media";
import { LATEST_STEP } from "../../../api/tables";
import type { Run } from "../../../api/types";
import type { Stop } from "../../../shaping/mediaAxis";
import { TableViewer } from "../../tables/TableViewer";
import "../../tables/tables.css";

/**
 * A logged table in a media section: the table viewer over every selected run that logged the key
 * (side by side or joined), at the section slider's step, with a link to the full page.
 */
export function TablePanel({ tableKey, perRun, stop }: { tableKey: string; perRun: { run: Run; mk: MediaKey }[]; stop: Stop | undefined }) {
  const { entity = "", project = "" } = useParams();
  const step = stop?.step ?? LATEST_STEP;
  const [first, ...others] = perRun.map((p) => p.run);
  const query = new URLSearchParams();
  if (stop) query.set("step", String(stop.step));
  if (others.length) query.set("runs", others.map((r) => r.id).join(","));
  const href = `/${entity}/${project}/runs/${first.id}/tables/${tableKey.split("/").map(encodeURIComponent).join("/")}${query.size ? `?${query}` : ""}`;
  return (
    <div className="media-table">
      <div className="row-end small">
        <Link to={href}>Open full page ↗</Link>
      </div>
      <TableViewer tableKey={tableKey} runs={perRun.map((p) => ({ run: p.run, step }))} projectId={first.project_id} height={300} />
    </div>
  );
}
