import { useCallback, useEffect, useMemo, useState } from "react";
import { useParams, useSearchParams } from "react-router";
import { keepPreviousData, useMutation, useQueries, useQuery, useQueryClient, type UseQueryResult } from "@tanstack/react-query";
import type { Project, Run } from "../../api/types";
import { Empty, ErrorBanner, Loading } from "../../components/status";
import { useProject } from "../../queries/projects";
import { runListQuery, runQuery } from "../../queries/runs";
import { runsKeysQuery } from "../../queries/batch";
import type { RunsKeys } from "../../api/batch";
import { viewQuery, viewsKey, viewsQuery } from "../../queries/views";
import { assignColors } from "../../shaping/colors";
import type { LineAgg } from "../../shaping/series";
import { collectKeys } from "../../shaping/fields";
import { can } from "../../api/permissions";
import { deleteView, saveView, type SavedView } from "../../api/views";
import { decodeView, defaultView, encodeView, sameView, type PanelBox, type View, type XAxis } from "../../shaping/view";
import { AddPanel } from "./AddPanel";
import { CustomPanel } from "./CustomPanel";
import { GroupByControl } from "./GroupByControl";
import { GroupPanel } from "./GroupPanel";
import { MediaSectionsLoader } from "./MediaSectionsLoader";
import { FullscreenPanel } from "./FullscreenPanel";
import { MetricPanel, type OthersBand } from "./MetricPanel";
import { MetricSection } from "./MetricSection";
import { PanelSection, type PanelDef } from "./PanelSection";
import { RunSelector } from "./RunSelector";
import { groupKeys } from "./sections";
import { useGroupBands } from "./useGroupBands";
import type { RunSeries } from "./useMetricData";
import { useRunStates } from "./useRunStates";
import { useSectionGate } from "./sectionGate";
import { ViewBar } from "./ViewBar";
import { BrushChip } from "./charts/BrushChip";
import { useBrushed, useChartContext } from "./charts/useChartContext";
import { lazyComponent } from "../../components/lazyComponent";
import { presetsOf } from "../../shaping/presets";
import { brushIsEmpty, inBrush } from "../../shaping/brush";
import { valueOf } from "../table/columns";
import { LINE_CHOICES, MAX_SELECTED, splitSelection } from "../../shaping/selection";
import { fetchRunIds } from "../../api/runs";
import "./layout.css";

export default function WorkspacePage() {
  const { entity = "", project = "" } = useParams();
  const p = useProject(entity, project);
  // A failed refetch (on focus) keeps the page it has; only a project never loaded shows the error.
  if (!p.data) return p.error ? <ErrorBanner error={p.error} onRetry={() => void p.refetch()} /> : <Loading what="Loading project" />;
  return <Workspace project={p.data} />;
}

// wandb.plot.* charts load their code (and ECharts) only when a selected run logged one.
const PresetSection = lazyComponent(() => import("./charts/PresetSection"), "Loading custom charts");

export const DEFAULT_SHOWN = 5;
/** How often an open workspace asks for the run list again, so a run started meanwhile appears. */
export const RUN_LIST_POLL_MS = 5_000;

function initialView(params: URLSearchParams): View {
  const enc = params.get("view");
  const v = (enc && decodeView(enc)) || defaultView();
  const runs = params.get("runs");
  if (runs) v.runs = runs.split(",").filter(Boolean);
  return v;
}

/**
 * The workspace's charts. With `only`, it is scoped to that one run (the run page's Charts tab):
 * the same panels, toolbar and layout, without the run list or the project's saved views.
 */
export function Workspace({ project, only }: { project: Project; only?: Run }) {
  const base = `/${project.entity}/${project.name}`;
  const [params, setParams] = useSearchParams();
  const [view, setView] = useState<View>(() => initialView(params));
  const patch = useCallback((p: Partial<View>) => setView((v) => ({ ...v, ...p })), []);
  const [fullscreen, setFullscreen] = useState<string | null>(null);
  const client = useQueryClient();
  const savedList = useQuery(viewsQuery(project.id));
  const saved = savedList.data ?? [];

  // A link to a saved view (?saved=<name>) opens the team's current version of it, once.
  const [linkedName] = useState(() => params.get("saved"));
  const linked = useQuery({ ...viewQuery(project.id, linkedName ?? ""), enabled: !!linkedName });
  const [openedLink, setOpenedLink] = useState(false);
  if (linked.data && !openedLink) {
    // Applied while rendering, once: from then on the user edits it.
    setOpenedLink(true);
    setView(linked.data.view);
  }

  // The URL always carries the current view, so reload and a copied address restore it.
  useEffect(() => {
    if (linkedName && !linked.data && !linked.error) return; // keep ?saved= until the view arrives
    setParams({ view: encodeView(view) }, { replace: true });
  }, [view, setParams, linkedName, linked.data, linked.error]);

  // Either way the list is read again: a failed save may mean a teammate saved first.
  const refreshViews = { onSettled: () => client.invalidateQueries({ queryKey: viewsKey(project.id) }) };
  const save = useMutation({ mutationFn: (v: View) => saveView(project.id, v, saved.find((s) => s.view.name === v.name)?.revision ?? 0), ...refreshViews });
  const remove = useMutation({ mutationFn: (name: string) => deleteView(project.id, name), ...refreshViews });
  // Naming the revision we know, a teammate's newer save is reported (409) instead of overwritten.
  const onSave = async (name: string) => setView((await save.mutateAsync({ ...view, name })).view);
  const onDelete = async (name: string) => {
    await remove.mutateAsync(name);
  };
  const shareUrl = () => {
    const match: SavedView | undefined = saved.find((s) => s.view.name === view.name && sameView(s.view, view));
    const query = match ? `saved=${encodeURIComponent(match.view.name)}` : `view=${encodeView(view)}`;
    return `${window.location.origin}${base}/workspace?${query}`;
  };

  // Asked again every few seconds while the page is open, so a run started meanwhile appears.
  const runList = useQuery({
    ...runListQuery(project.id, { order: "-created_at", perPage: 200 }),
    enabled: !only,
    refetchInterval: RUN_LIST_POLL_MS,
  });
  // Until the user picks runs, the selection is "the most recent DEFAULT_SHOWN" and follows new runs;
  // scoped to one run, it is that run. Adjusted while rendering, as the linked view above is.
  const [auto, setAuto] = useState(() => !only && !(view.runs.length > 0 || params.has("view") || params.has("saved")));
  const newest = useMemo(() => (runList.data?.items ?? []).slice(0, DEFAULT_SHOWN).map((r) => r.id), [runList.data]);
  const wanted = only ? [only.id] : auto && runList.data ? newest : null;
  if (wanted && (wanted.length !== view.runs.length || wanted.some((id, i) => id !== view.runs[i]))) setView({ ...view, runs: wanted });
  const choose = useCallback(
    (runs: string[]) => {
      setAuto(false);
      patch({ runs });
    },
    [patch],
  );
  // "Show all" with more runs than the list holds: every run's id, newest first, a page at a time.
  const [showAllError, setShowAllError] = useState<Error | null>(null);
  const showAll = useCallback(() => {
    setShowAllError(null);
    fetchRunIds(project.id, MAX_SELECTED).then(choose, setShowAllError);
  }, [project.id, choose]);
  // A saved view brings its own runs: from then on the selection no longer follows new runs.
  const openSaved = (v: SavedView) => {
    setAuto(false);
    setView(v.view);
  };

  const listed = useMemo(() => runList.data?.items ?? [], [runList.data]);
  const listedIds = useMemo(() => (only ? [only.id] : listed.map((r) => r.id)), [only, listed]);
  // With more runs selected than `view.lines`, the first lines (in the runs table's order) are drawn
  // one per run and the rest as one band per chart, aggregated on the server. A brush on a panel over
  // runs (parallel coordinates, scatter) narrows both to the runs inside it; a run the page has not
  // loaded cannot be checked against a brush, so a brush leaves it out.
  const [fetched, setFetched] = useState<Record<string, Run>>({});
  const split = useMemo(() => {
    // Until the runs table's order is known nothing is split (nor fetched), so nothing is asked twice.
    if (!only && !runList.data) return NO_SPLIT;
    const byId = new Map<string, Run>([...Object.values(fetched), ...listed].map((r) => [r.id, r]));
    const open = brushIsEmpty(view.brush);
    const keep = (id: string) => {
      const r = byId.get(id);
      return r ? open || inBrush(view.brush, (f) => valueOf(r, f)) : open;
    };
    return splitSelection(only ? [only.id] : view.runs, listedIds, view.lines, keep);
  }, [only, runList.data, view.runs, view.lines, view.brush, listed, listedIds, fetched]);
  // Line runs outside the listed page (older runs from a shared link) are fetched one by one (at
  // most `view.lines` of them); one that cannot be read is left out. Band runs need only their ids.
  const missing = runList.data && !only ? split.lines.filter((id) => !listed.some((r) => r.id === id)) : [];
  const extra = useQueries({
    queries: missing.map((id) => ({ ...runQuery(project.id, id), refetchInterval: false as const })),
    combine: loadedRuns,
  });
  if (extra.some((r) => fetched[r.id] !== r)) setFetched((f) => ({ ...f, ...Object.fromEntries(extra.map((r) => [r.id, r])) }));
  // Runs picked from elsewhere (a link, the table) are listed first so they are visible at once.
  const allRuns = useMemo(() => (only ? [only] : [...extra, ...listed]), [only, listed, extra]);
  const picked = useMemo(
    () => view.runs.map((id) => allRuns.find((r) => r.id === id)).filter((r): r is Run => !!r),
    [view.runs, allRuns],
  );
  // The runs drawn as lines, in the table's order (already inside any brush).
  const selected = useMemo(() => split.lines.map((id) => allRuns.find((r) => r.id === id)).filter((r): r is Run => !!r), [split.lines, allRuns]);
  const band = only ? NO_RUNS : split.band;
  const listedRuns = useBrushed(allRuns, view.brush);

  const colors = useStableColors(view.runs);

  // The metric and media keys of every drawn run, lines and band, in one request.
  const drawnIds = useMemo(() => [...selected.map((r) => r.id), ...band], [selected, band]);
  const byId = useMemo(() => new Map(allRuns.map((r) => [r.id, r])), [allRuns]);
  const bandLive = useMemo(() => band.some((id) => byId.get(id)?.state === "running"), [band, byId]);
  const keysQ = useQuery({
    ...runsKeysQuery(project.id, drawnIds, bandLive || selected.some((r) => r.state === "running")),
    enabled: drawnIds.length > 0,
    placeholderData: keepPreviousData,
    select: keysOf,
  });
  const mediaKeys = keysQ.data?.mediaKeys ?? NO_KEYS;
  // A media key (image, histogram, ...) gets a media panel, not a line chart of its null values.
  // Until the media keys are known no line chart is made, so a run with 2,000 histogram keys never asks for 2,000 lines.
  const keys = useMemo(() => (keysQ.data ? keysQ.data.keys.filter((k) => !mediaKeys.has(k)) : NO_RUNS), [keysQ.data, mediaKeys]);
  // Media panels show the line runs only.
  const keysByRun = useMemo(() => Object.fromEntries(selected.map((r) => [r.id, keysQ.data?.media[r.id] ?? []])), [selected, keysQ.data]);
  const xParam = view.x === "step" ? "step" : view.x === "ts" || view.x === "relative" ? "ts" : view.x.slice(7);
  // Each metric section loads its own series while it is on screen (MetricSection); the run states
  // say which runs are live and polled for new steps.
  const { isLive, live } = useRunStates(selected);
  // Grouped, each chart draws one line per group: its mean and band over the group's selected runs.
  const groupBy = only ? "" : view.groupBy;
  // Grouped bands read every run's points (POST .../metrics/query): at most 500 runs, the route's limit.
  const groupedIds = useMemo(() => drawnIds.slice(0, GROUPED_RUNS), [drawnIds]);
  const grouped = useGroupBands(project.id, groupedIds, keys, xParam, groupBy);

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

  // A panel's own settings (its line: mean, max or min) live in the view, by panel id.
  const setLine = useCallback(
    (metric: string, line: LineAgg) =>
      setView((v) => ({ ...v, panelConfig: { ...v.panelConfig, [`line:${metric}`]: { ...v.panelConfig[`line:${metric}`], line } } })),
    [],
  );
  // A media section's slider axis lives there too, under the section's id; the step axis is the default.
  const setSlider = useCallback(
    (section: string, slider: string | undefined) =>
      setView((v) => ({ ...v, panelConfig: { ...v.panelConfig, [section]: { ...v.panelConfig[section], slider } } })),
    [],
  );
  const linePanel = (k: string, data: RunSeries, pending: boolean, others: OthersBand | undefined): PanelDef => ({
    id: `line:${k}`,
    title: k,
    body: groupBy ? (
      <GroupPanel metric={k} groups={grouped.groups} band={view.band} x={view.x} smoothing={view.smoothing} logY={view.logY} />
    ) : (
      <MetricPanel
        metric={k}
        runs={selected}
        data={data}
        colors={colors}
        x={view.x}
        xParam={xParam}
        smoothing={view.smoothing}
        logY={view.logY}
        line={view.panelConfig[`line:${k}`]?.line}
        onLine={setLine}
        pending={pending}
        band={others}
      />
    ),
  });
  const charts = useChartContext(project, picked, keysByRun, fields, view.brush, setView);
  const customPanel = (c: View["panels"][number]): PanelDef => ({
    id: `custom:${c.id}`,
    title: c.title ?? c.type,
    removable: true,
    body: <CustomPanel spec={c} allRuns={listedRuns} selected={selected} colors={colors} charts={charts} />,
  });
  const custom: [string, PanelDef[]][] = view.panels.length ? [["Panels", view.panels.map(customPanel)]] : [];
  const metricSections = useMemo(() => groupKeys(keys), [keys]);
  const gate = useSectionGate(useMemo(() => metricSections.map(([title]) => title), [metricSections]));
  const fsPanel = fullscreen ? custom.flatMap(([, ps]) => ps).find((p) => p.id === fullscreen) : undefined;
  const panelSection = ([title, panels]: [string, PanelDef[]]) => (
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
  );

  return (
    <div className={only ? "workspace workspace-run" : "workspace"}>
      {!only && (
        <RunSelector
          runs={listedRuns}
          selected={view.runs}
          colors={colors}
          base={base}
          total={runList.data?.total ?? null}
          auto={auto}
          onChange={choose}
          onShowAll={showAll}
        />
      )}
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
          {!only && (
            <label title="With more runs selected, the first ones (in the runs table's order) are drawn as lines and the others as one min–max band">
              Lines{" "}
              <select value={view.lines} onChange={(e) => patch({ lines: Number(e.target.value) })} aria-label="Runs drawn as lines">
                {LINE_CHOICES.map((n) => (
                  <option key={n} value={n}>
                    {n}
                  </option>
                ))}
              </select>
              {band.length > 0 && (
                <span className="muted small" data-testid="band-runs">
                  {" "}
                  + {band.length} as a band
                </span>
              )}
            </label>
          )}
          {!only && <GroupByControl groupBy={view.groupBy} band={view.band} configFields={fields.filter((f) => f.startsWith("config."))} onChange={patch} />}
          {live && <span className="live-dot" title="Live: new steps are fetched every few seconds">Live</span>}
          <span className="grow" />
          <BrushChip brush={view.brush} onClear={() => patch({ brush: {} })} shown={selected.length} of={picked.length} />
          <AddPanel fields={fields} tables={charts.tables} onAdd={(p) => patch({ panels: [...view.panels, p] })} />
          {!only && <ViewBar view={view} saved={saved} canWrite={can(project, "project:write")} onSave={onSave} onOpen={openSaved} onDelete={onDelete} shareUrl={shareUrl} />}
        </div>
        <ErrorBanner error={linked.error ?? savedList.error ?? runList.error ?? keysQ.error ?? grouped.error ?? showAllError} />
        {runList.isPending && !only ? (
          <Loading what="Loading runs" />
        ) : allRuns.length === 0 ? (
          <Empty title="No runs in this project yet">Log metrics with wanllmdb.log() and charts appear here.</Empty>
        ) : selected.length === 0 && picked.length > 0 && view.panels.length > 0 ? (
          <div>
            <Empty title="No selected run is inside the brush">Clear the brush, or widen it, to see the runs again.</Empty>
            {custom.map(panelSection)}
          </div>
        ) : selected.length === 0 ? (
          <Empty title="No runs selected">Click the circle next to a run to draw it on every chart.</Empty>
        ) : keysQ.isPending ? (
          <Loading what="Loading metrics" />
        ) : keys.length === 0 && view.panels.length === 0 && mediaKeys.size === 0 ? (
          <Empty title="The selected runs have not logged metrics yet" />
        ) : (
          <>
            {custom.map(panelSection)}
            {metricSections.map(([title, ks]) => (
              <MetricSection
                key={title}
                title={title}
                keys={ks}
                projectId={project.id}
                runs={selected}
                band={band}
                bandLive={bandLive}
                x={xParam}
                isLive={isLive}
                load={!groupBy}
                panel={linePanel}
                gate={gate}
                layout={view.layout}
                collapsed={view.collapsed.includes(title)}
                onToggle={() => toggleSection(title)}
                onLayout={setLayout}
                fullscreen={fullscreen}
                onFullscreen={setFullscreen}
              />
            ))}
          </>
        )}
        {selected.some((r) => presetsOf(r.config).length > 0) && <PresetSection runs={selected} />}
        {selected.length > 0 && mediaKeys.size > 0 && (
          <MediaSectionsLoader runs={selected} keysByRun={keysByRun} metricKeys={keys} panelConfig={view.panelConfig} onSlider={setSlider} />
        )}
      </div>
      {fsPanel && <FullscreenPanel panel={fsPanel} onClose={() => setFullscreen(null)} />}
    </div>
  );
}

/** The runs among `results` that loaded. */
const loadedRuns = (results: UseQueryResult<Run>[]): Run[] => results.flatMap((r) => (r.data ? [r.data] : []));

const NO_RUNS: string[] = [];
/** The most runs a grouped view reads (the compare route's limit). */
const GROUPED_RUNS = 500;
const NO_SPLIT = { lines: NO_RUNS, band: NO_RUNS };
const NO_KEYS = new Set<string>();

/** The keys of the drawn runs, sorted (keys starting with `_` are internal), and every media key. */
function keysOf(data: RunsKeys) {
  const mediaKeys = new Set(Object.values(data.media).flatMap((ks) => ks.map((k) => k.key)));
  return { keys: data.keys.filter((k) => !k.startsWith("_")), media: data.media, mediaKeys };
}

/** A run keeps its colour while it stays selected; newly selected runs take free ones. */
function useStableColors(runs: string[]): Record<string, number> {
  const [state, setState] = useState(() => ({ runs, colors: assignColors(runs, {}) }));
  if (state.runs === runs) return state.colors;
  // Derived from the previous assignment during render (React's "adjusting state on a prop change").
  const next = { runs, colors: assignColors(runs, state.colors) };
  setState(next);
  return next.colors;
}
