// The lineage graph's nodes as the dashboard draws and links them (GET .../versions/{label}/lineage:
// nodes {id, kind: run|artifact, label}, edges {source, target}). Artifact ids are
// "<project id>:<name>:vN" and run ids "run:<run id>".

export interface LineageNodeLike {
  id: string;
  kind: string;
  label: string;
}
export interface LineageEdgeLike {
  source: string;
  target: string;
}

/** "<project>:<name>:vN" → its parts; the project id may itself hold ":" (the server splits from the right). */
export function parseArtifactNode(id: string): { projectId: string; name: string; version: string } | null {
  const m = /^(.*):([^:]+):(v\d+)$/.exec(id);
  return m ? { projectId: m[1], name: m[2], version: m[3] } : null;
}

export const runOfNode = (id: string): string => id.replace(/^run:/, "");

export interface LayoutInput {
  nodes: { id: string; kind: "run" | "artifact"; label: string; current: boolean; width: number; height: number }[];
  edges: { source: string; target: string }[];
}

export const NODE_HEIGHT = 36;
const CHAR_PX = 7.2; // 12.5 px monospace
const PAD_PX = 28;
export const MAX_LABEL = 40;

/** A label cut to MAX_LABEL characters with an ellipsis. */
export const shortLabel = (label: string): string => (label.length > MAX_LABEL ? `${label.slice(0, MAX_LABEL - 1)}…` : label);

/**
 * What the layout engine needs: every node sized from its label, edges only between known nodes
 * (an edge to a node the graph left out would make the layout invent one), duplicates dropped.
 */
export function lineageLayoutInput(graph: { nodes: readonly LineageNodeLike[]; edges: readonly LineageEdgeLike[] }, currentId: string): LayoutInput {
  const ids = new Set(graph.nodes.map((n) => n.id));
  const nodes = graph.nodes.map((n) => {
    const kind: "run" | "artifact" = n.kind === "run" ? "run" : "artifact";
    const label = shortLabel(n.label);
    return { id: n.id, kind, label, current: n.id === currentId, width: Math.round(label.length * CHAR_PX + PAD_PX + 18), height: NODE_HEIGHT };
  });
  const seen = new Set<string>();
  const edges = graph.edges.filter((e) => {
    const key = `${e.source}\u0000${e.target}`;
    if (!ids.has(e.source) || !ids.has(e.target) || e.source === e.target || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return { nodes, edges: edges.map((e) => ({ source: e.source, target: e.target })) };
}
