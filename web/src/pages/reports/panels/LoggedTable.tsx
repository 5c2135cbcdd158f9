// A logged table (wandb.Table) in a report panel: the workspace's table viewer (server-side paging,
// sort, filters, group-by, media cells) over every run that logged the key, side by side, sized to
// the panel.
import { useRef } from "react";
import type { Run } from "../../../api/types";
import { useSize } from "../../../charts/useSize";
import { TableViewer } from "../../tables/TableViewer";
import "../../tables/tables.css";

/** At most this many runs' tables side by side: more do not fit a panel. */
export const MAX_TABLE_RUNS = 4;

export function LoggedTable({ tableKey, runs, step }: { tableKey: string; runs: Run[]; step: number }) {
  const box = useRef<HTMLDivElement>(null);
  const { height } = useSize(box);
  const shown = runs.slice(0, MAX_TABLE_RUNS);
  return (
    <div className="report-table" ref={box}>
      {runs.length > shown.length && <div className="small muted">The first {shown.length} of {runs.length} runs that logged {tableKey}.</div>}
      <TableViewer tableKey={tableKey} runs={shown.map((run) => ({ run, step }))} projectId={shown[0].project_id} height={Math.max(140, height - 84)} />
    </div>
  );
}
