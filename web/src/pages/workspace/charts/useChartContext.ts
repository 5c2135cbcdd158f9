import { useCallback, useMemo } from "react";
import type { MediaKey } from "../../../api/media";
import { can } from "../../../api/permissions";
import type { Project, Run } from "../../../api/types";
import { brushIsEmpty, inBrush, type RunBrush } from "../../../shaping/brush";
import type { ChartSpec } from "../../../shaping/chartSpec";
import type { View } from "../../../shaping/view";
import { valueOf } from "../../table/columns";
import type { ChartContext } from "../CustomPanel";
import type { TableChoice } from "./ChartEditor";

/** The runs the workspace's brush keeps (all of them without one). */
export function useBrushed(runs: Run[], brush: RunBrush): Run[] {
  return useMemo(() => (brushIsEmpty(brush) ? runs : runs.filter((r) => inBrush(brush, (f) => valueOf(r, f)))), [runs, brush]);
}

/** What custom chart panels need from the workspace: the tables they can read, the brush, and a way to save their spec. */
export function useChartContext(
  project: Project,
  selected: Run[],
  keysByRun: Record<string, MediaKey[]>,
  fields: string[],
  brush: RunBrush,
  setView: (f: (v: View) => View) => void,
): ChartContext {
  const tables = useMemo<TableChoice[]>(
    () => selected.flatMap((r) => (keysByRun[r.id] ?? []).filter((k) => k.type === "table-file").map((k) => ({ run: r.id, runName: r.name ?? r.id, key: k.key }))),
    [selected, keysByRun],
  );
  const onBrush = useCallback((b: RunBrush) => setView((v) => ({ ...v, brush: b })), [setView]);
  const onSpec = useCallback(
    (id: string, chart: ChartSpec) => setView((v) => ({ ...v, panels: v.panels.map((p) => (p.id === id ? { ...p, chart } : p)) })),
    [setView],
  );
  // SQL reads 10,000 runs in one request; the server allows it to members (those who may write).
  const canSql = can(project, "project:write");
  return useMemo(
    () => ({ projectId: project.id, canSql, tables, runFields: fields, brush, onBrush, onSpec }),
    [project.id, canSql, tables, fields, brush, onBrush, onSpec],
  );
}
