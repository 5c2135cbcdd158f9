// The lineage DAG around a version: runs and artifact versions, drawn in SVG from dagre's layout,
// each node a link to its page. Loaded only when the Lineage tab opens (its own chunk, with dagre).
import { useMemo, useState } from "react";
import { Link } from "react-router";
import { useQueries, useQuery } from "@tanstack/react-query";
import type { ArtifactVersion, VersionRef } from "../../api/artifacts";
import { runName } from "../../api/runs";
import { Empty, ErrorBanner, Loading } from "../../components/status";
import { lineageQuery } from "../../queries/artifacts";
import { useProject } from "../../queries/projects";
import { runQuery } from "../../queries/runs";
import { lineageLayoutInput, parseArtifactNode, runOfNode, shortLabel } from "../../shaping/lineage";
import { layoutLineage, type PlacedNode } from "./lineageLayout";
import { runHref, versionHref } from "./links";
import { useProjectPaths } from "./useProjectPaths";

const DEPTHS = [1, 2, 3, 4, 6];

export default function LineageTab({ v, vref, entity, project }: { v: ArtifactVersion; vref: VersionRef; entity: string; project: string }) {
  const [depth, setDepth] = useState(2);
  const graph = useQuery(lineageQuery(vref, depth));
  const proj = useProject(entity, project);
  const placed = useMemo(() => (graph.data ? layoutLineage(lineageLayoutInput(graph.data, v.id)) : null), [graph.data, v.id]);
  // Run nodes carry only the run id; their names come from the runs themselves (of this project).
  const runIds = useMemo(() => (graph.data?.nodes ?? []).filter((n) => n.kind === "run").map((n) => runOfNode(n.id)), [graph.data]);
  const runs = useQueries({ queries: runIds.map((id) => ({ ...runQuery(proj.data?.id ?? "", id), enabled: !!proj.data, retry: false })) });
  const runNames = new Map(runs.flatMap((r, i) => (r.data ? [[runIds[i], runName(r.data)] as const] : [])));
  // Versions of other projects link through their project's entity/name.
  const projectPath = useProjectPaths(
    (graph.data?.nodes ?? []).flatMap((n) => parseArtifactNode(n.id)?.projectId ?? []),
    { id: v.project_id, entity, name: project },
  );

  const hrefOf = (n: PlacedNode): string | null => {
    if (n.kind === "run") return runHref(entity, project, runOfNode(n.id));
    const a = parseArtifactNode(n.id);
    const at = a && projectPath.get(a.projectId);
    return a && at ? versionHref(at[0], at[1], a.name, a.version) : null;
  };

  return (
    <div className="art-lineage">
      <div className="art-diff-bar">
        <label>
          Depth{" "}
          <select value={depth} onChange={(e) => setDepth(Number(e.target.value))} aria-label="Depth">
            {DEPTHS.map((d) => (
              <option key={d} value={d}>
                {d}
              </option>
            ))}
          </select>
        </label>
        <span className="muted small">
          <span className="art-legend art-legend-run" /> run <span className="art-legend art-legend-artifact" /> artifact version
        </span>
      </div>
      {!placed ? (
        graph.error ? (
          <ErrorBanner error={graph.error} onRetry={() => void graph.refetch()} />
        ) : (
          <Loading what="Loading lineage" />
        )
      ) : placed.edges.length === 0 ? (
        <Empty title="No lineage yet">No run logged or used this version.</Empty>
      ) : (
        <div className="art-graph-scroll">
          <svg className="art-graph" width={placed.width} height={placed.height} viewBox={`0 0 ${placed.width} ${placed.height}`} data-testid="lineage-graph" role="img" aria-label="Lineage graph">
            <defs>
              <marker id="art-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                <path d="M 0 0 L 10 5 L 0 10 z" className="art-arrow" />
              </marker>
            </defs>
            {placed.edges.map((e) => (
              <path key={`${e.source}>${e.target}`} className="art-edge" d={edgePath(e.points)} markerEnd="url(#art-arrow)" data-edge={`${e.source}>${e.target}`} />
            ))}
            {placed.nodes.map((n) => {
              const label = n.kind === "run" ? shortLabel(runNames.get(runOfNode(n.id)) ?? n.label) : n.label;
              const href = hrefOf(n);
              const box = (
                <g className={`art-node-g art-node-${n.kind}${n.current ? " current" : ""}`} transform={`translate(${n.x - n.width / 2},${n.y - n.height / 2})`} data-node={n.id}>
                  <rect width={n.width} height={n.height} rx={n.kind === "run" ? n.height / 2 : 5} />
                  <text x={n.width / 2} y={n.height / 2} dominantBaseline="central" textAnchor="middle">
                    {label}
                  </text>
                  <title>{n.kind === "run" ? `run ${runOfNode(n.id)}` : n.label}</title>
                </g>
              );
              return href && !n.current ? (
                <Link key={n.id} to={href} aria-label={n.kind === "run" ? `run ${label}` : `version ${n.label}`}>
                  {box}
                </Link>
              ) : (
                <g key={n.id}>{box}</g>
              );
            })}
          </svg>
        </div>
      )}
    </div>
  );
}

/** A smooth path through dagre's edge points (a cubic per segment pair, or a line when there are two). */
function edgePath(points: readonly { x: number; y: number }[]): string {
  if (points.length === 0) return "";
  let d = `M ${points[0].x} ${points[0].y}`;
  if (points.length === 2) return `${d} L ${points[1].x} ${points[1].y}`;
  for (let i = 1; i < points.length - 1; i++) {
    const p = points[i];
    const q = points[i + 1];
    const end = i === points.length - 2 ? q : { x: (p.x + q.x) / 2, y: (p.y + q.y) / 2 };
    d += ` Q ${p.x} ${p.y} ${end.x} ${end.y}`;
  }
  return d;
}
