import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useParams, useSearchParams } from "react-router";
import { api, unwrap } from "../../api/client";
import { fetchRuns } from "../../api/runs";
import type { Project, Run } from "../../api/types";
import { Empty, ErrorBanner, Loading } from "../../components/status";
import { useApi } from "../../hooks/useApi";
import { useProject } from "../../hooks/useProject";
import { assignColors } from "../../shaping/colors";
import { collectKeys } from "../../shaping/fields";
import { can } from "../../api/permissions";
import { deleteView, getView, listViews, saveView, type SavedView } from "../../api/views";
import { decodeView, defaultView, encodeView, sameView, type PanelBox, type View, type XAxis } from "../../shaping/view";
import { AddPanel } from "./AddPanel";
import { CustomPanel } from "./CustomPanel";
import { MetricPanel } from "./MetricPanel";
import { PanelSection, type PanelDef } from "./PanelSection";
import { RunSelector } from "./RunSelector";
import { groupKeys } from "./sections";
import { useMetricData } from "./useMetricData";
import { ViewBar } from "./ViewBar";

export default function WorkspacePage() {
  const { entity = "", project = "" } = useParams();
  const p = useProject(entity, project);
  if (p.error) return <ErrorBanner error={p.error} onRetry={p.reload} />;
  if (!p.data) return <Loading what="Loading project" />;
  return <Workspace project={p.data} />;
}

const DEFAULT_SHOWN = 5;

function initialView(params: URLSearchParams): View {
  const enc = params.get("view");
  const v = (enc && decodeView(enc)) || defaultView();
  const runs = params.get("runs");
  if (runs) v.runs = runs.split(",").filter(Boolean);
  return v;
}

function Workspace({ project }: { project: Project }) {
  const base = `/${project.entity}/${project.name}`;
  const [params, setParams] = useSearchParams();
  const [view, setView] = useState<View>(() => initialView(params));
  const patch = useCallback((p: Partial<View>) => setView((v) => ({ ...v, ...p })), []);
  const [fullscreen, setFullscreen] = useState<string | null>(null);
  const savedList = useApi(() => listViews(project.id), [project.id]);
  const saved = savedList.data ?? [];

  // A link to a saved view (?saved=<name>) opens the team's current version of it.
  const [linkedName] = useState(() => params.get("saved"));
  const linked = useApi(async () => (linkedName ? getView(project.id, linkedName) : null), [project.id, linkedName]);
  useEffect(() => {
    if (linked.data) setView(linked.data.view);
  }, [linked.data]);

  // The URL always carries the current view, so reload and a copied address restore it.
  useEffect(() => {
    if (linkedName && !linked.data && !linked.error) return; // keep ?saved= until the view arrives
    setParams({ view: encodeView(view) }, { replace: true });
  }, [view, setParams, linkedName, linked.data, linked.error]);

  const onSave = async (name: string) => {
    const v = { ...view, name };
    // Name the revision we know, so a teammate's newer save is reported (409) instead of overwritten.
    const known = saved.find((s) => s.view.name === name);
    const stored = await saveView(project.id, v, known ? known.revision : 0).finally(savedList.reload);
    setView(stored.view);
  };
  const onDelete = async (name: string) => {
    await deleteView(project.id, name).finally(savedList.reload);
  };
  const shareUrl = () => {
    const match: SavedView | undefined = saved.find((s) => s.view.name === view.name && sameView(s.view, view));
    const query = match ? `saved=${encodeURIComponent(match.view.name)}` : `view=${encodeView(view)}`;
    return `${window.location.origin}${base}/workspace?${query}`;
  };

  const runList = useApi(() => fetchRuns(project.id, { order: "-created_at", perPage: 200 }), [project.id]);
  const chosenOnce = useRef(view.runs.length > 0 || params.has("view") || params.has("saved"));
  useEffect(() => {
    if (chosenOnce.current || !runList.data) return;
    chosenOnce.current = true;
    patch({ runs: runList.data.items.slice(0, DEFAULT_SHOWN).map((r) => r.id) });
  }, [runList.data, patch]);

  // Selected runs outside the listed page (older runs from a shared link) are fetched one by one.
  const listed = runList.data?.items ?? [];
  const missing = view.runs.filter((id) => runList.data && !listed.some((r) => r.id === id));
  const extra = useApi(
    () =>
      Promise.all(
        missing.map((id) =>
          unwrap(api.GET("/api/runs/{run_id}", { params: { path: { run_id: id }, query: { project_id: project.id } } })).catch(
            () => null,
          ),
        ),
      ),
    [missing.join(","), project.id],
  );
  // Runs picked from elsewhere (a link, the table) are listed first so they are visible at once.
  const allRuns = useMemo(() => [...((extra.data ?? []).filter(Boolean) as Run[]), ...listed], [listed, extra.data]);
  const selected = useMemo(
    () => view.runs.map((id) => allRuns.find((r) => r.id === id)).filter((r): r is Run => !!r),
    [view.runs, allRuns],
  );

  const prevColors = useRef<Record<string, number>>({});
  const colors = useMemo(() => (prevColors.current = assignColors(view.runs, prevColors.current)), [view.runs]);

  const runKey = selected.map((r) => r.id).join(",");
  const keysQ = useApi(async () => {
    const lists = await Promise.all(
      selected.map((r) =>
        unwrap(
          api.GET("/api/runs/{run_id}/metric-keys", {
            params: { path: { run_id: r.id }, query: { stream: "history", project_id: r.project_id } },
          }),
        ),
      ),
    );
    return [...new Set(lists.flatMap((l) => l.keys))].filter((k) => !k.startsWith("_")).sort();
  }, [runKey]);
  const keys = keysQ.data ?? [];
  const xParam = view.x === "step" ? "step" : view.x === "ts" || view.x === "relative" ? "ts" : view.x.slice(7);
  const metrics = useMetricData(selected, keys, xParam);
  const live = selected.some((r) => (metrics.states[r.id] ?? r.state) === "running");

  const fields = useMemo(
    () => [
      ...collectKeys(allRuns.map((r) => r.config)).map((k) => `config.${k}`),
      ...collectKeys(allRuns.map((r) => r.summary)).map((k) => `summary.${k}`),
    ],
    [allRuns],
  );

  const setLayout = (boxes: Record<string, PanelBox>) =>
    setView((v) => {
      const same = Object.entries(boxes).every(([k, b]) => {
        const o = v.layout[k];
        return o && o.x === b.x && o.y === b.y && o.w === b.w && o.h === b.h;
      });
      return same ? v : { ...v, layout: { ...v.layout, ...boxes } };
    });
  const toggleSection = (s: string) =>
    patch({ collapsed: view.collapsed.includes(s) ? view.collapsed.filter((c) => c !== s) : [...view.collapsed, s] });

  const linePanel = (k: string): PanelDef => ({
    id: `line:${k}`,
    title: k,
    body: (
      <MetricPanel
        metric={k}
        runs={selected}
        data={metrics.data}
        colors={colors}
        x={view.x}
        xParam={xParam}
        smoothing={view.smoothing}
        logY={view.logY}
      />
    ),
  });
  const customPanel = (c: View["panels"][number]): PanelDef => ({
    id: `custom:${c.id}`,
    title: c.title ?? c.type,
    removable: true,
    body: <CustomPanel spec={c} allRuns={allRuns} selected={selected} colors={colors} />,
  });
  const sections: [string, PanelDef[]][] = [
    ...(view.panels.length ? [["Panels", view.panels.map(customPanel)] as [string, PanelDef[]]] : []),
    ...groupKeys(keys).map(([g, ks]) => [g, ks.map(linePanel)] as [string, PanelDef[]]),
  ];
  const fsPanel = fullscreen ? sections.flatMap(([, ps]) => ps).find((p) => p.id === fullscreen) : undefined;

  return (
    <div className="workspace">
      <RunSelector
        runs={allRuns}
        selected={view.runs}
        colors={colors}
        base={base}
        total={runList.data?.total ?? null}
        onChange={(runs) => patch({ runs })}
      />
      <div className="ws-main">
        <div className="ws-toolbar">
          <label>
            X axis{" "}
            <select value={view.x} onChange={(e) => patch({ x: e.target.value as XAxis })} aria-label="X axis">
              <option value="step">Step</option>
              <option value="ts">Wall time</option>
              <option value="relative">Relative time</option>
              {keys.map((k) => (
                <option key={k} value={`metric:${k}`}>
                  {k}
                </option>
              ))}
            </select>
          </label>
          <label className="smoothing">
            Smoothing
            <input
              type="range"
              min={0}
              max={0.99}
              step={0.01}
              value={view.smoothing}
              onChange={(e) => patch({ smoothing: Number(e.target.value) })}
              aria-label="Smoothing"
            />
            <span className="mono small">{view.smoothing.toFixed(2)}</span>
          </label>
          <label>
            <input type="checkbox" checked={view.logY} onChange={(e) => patch({ logY: e.target.checked })} /> Log scale
          </label>
          {live && <span className="live-dot" title="Live: new steps are fetched every few seconds">Live</span>}
          <span className="grow" />
          <AddPanel fields={fields} onAdd={(p) => patch({ panels: [...view.panels, p] })} />
          <ViewBar view={view} saved={saved} canWrite={can(project, "project:write")} onSave={onSave} onOpen={(v) => setView(v.view)} onDelete={onDelete} shareUrl={shareUrl} />
        </div>
        <ErrorBanner error={linked.error ?? savedList.error ?? runList.error ?? keysQ.error ?? metrics.error} />
        {metrics.warnings.length > 0 && (
          <div className="warning-banner" role="status">
            Some metric data could not be read and is missing from these charts: {metrics.warnings.join("; ")}
          </div>
        )}
        {runList.loading && !runList.data ? (
          <Loading what="Loading runs" />
        ) : allRuns.length === 0 ? (
          <Empty title="No runs in this project yet">Log metrics with wanllmdb.log() and charts appear here.</Empty>
        ) : selected.length === 0 ? (
          <Empty title="No runs selected">Click the circle next to a run to draw it on every chart.</Empty>
        ) : keysQ.loading && !keysQ.data ? (
          <Loading what="Loading metrics" />
        ) : keys.length === 0 && view.panels.length === 0 ? (
          <Empty title="The selected runs have not logged metrics yet" />
        ) : (
          sections.map(([title, panels]) => (
            <PanelSection
              key={title}
              title={title}
              panels={panels}
              layout={view.layout}
              collapsed={view.collapsed.includes(title)}
              onToggle={() => toggleSection(title)}
              onLayout={setLayout}
              onFullscreen={setFullscreen}
              onRemove={(id) => patch({ panels: view.panels.filter((p) => `custom:${p.id}` !== id) })}
            />
          ))
        )}
      </div>
      {fsPanel && (
        <div className="fullscreen" role="dialog" aria-label={fsPanel.title}>
          <div className="fullscreen-head">
            <span>{fsPanel.title}</span>
            <button className="btn" onClick={() => setFullscreen(null)}>
              Close
            </button>
          </div>
          <div className="fullscreen-body">{fsPanel.body}</div>
        </div>
      )}
    </div>
  );
}
