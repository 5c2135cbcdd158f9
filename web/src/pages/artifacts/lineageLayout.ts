// Lays the lineage DAG out left to right with dagre (runs → the versions they logged → the runs that
// used those): positions for SVG, computed once per graph. Only the lazily loaded Lineage tab
// imports this module, so dagre never weighs on the dashboard's first load.
import { graphlib, layout } from "@dagrejs/dagre";
import type { LayoutInput } from "../../shaping/lineage";

export interface PlacedNode {
  id: string;
  kind: "run" | "artifact";
  label: string;
  current: boolean;
  /** Centre, as dagre gives it. */
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PlacedEdge {
  source: string;
  target: string;
  points: { x: number; y: number }[];
}

export interface Placed {
  nodes: PlacedNode[];
  edges: PlacedEdge[];
  width: number;
  height: number;
}

export function layoutLineage(input: LayoutInput): Placed {
  const g = new graphlib.Graph();
  g.setGraph({ rankdir: "LR", nodesep: 18, ranksep: 70, marginx: 12, marginy: 12 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of input.nodes) g.setNode(n.id, { width: n.width, height: n.height });
  for (const e of input.edges) g.setEdge(e.source, e.target);
  layout(g);
  const nodes = input.nodes.map((n) => {
    const at = g.node(n.id);
    return { ...n, x: at.x, y: at.y };
  });
  const edges = input.edges.map((e) => ({ ...e, points: (g.edge(e.source, e.target).points ?? []).map((p: { x: number; y: number }) => ({ x: p.x, y: p.y })) }));
  const graph = g.graph();
  return { nodes, edges, width: graph.width ?? 0, height: graph.height ?? 0 };
}
