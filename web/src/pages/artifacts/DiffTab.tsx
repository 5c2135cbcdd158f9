import { useRef } from "react";
import { useSearchParams } from "react-router";
import { useQueries, useQuery } from "@tanstack/react-query";
import { useVirtualizer } from "@tanstack/react-virtual";
import type { ArtifactVersion, DiffEntry } from "../../api/artifacts";
import { Empty, ErrorBanner, Loading } from "../../components/status";
import { useDebounced } from "../../hooks/useDebounced";
import { DIFF_PAGE, diffPageQuery, versionsQuery } from "../../queries/artifacts";
import { diffCounts, groupDiff, sizeDelta, type ChangeKind } from "../../shaping/artifactDiff";
import { formatBytes } from "../../shaping/units";
import { projectApiId } from "./links";

/** Two versions of the collection (`?from=&to=`, by default the previous version and this one) and what changed between them. */
export function DiffTab({ v, entity, project }: { v: ArtifactVersion; entity: string; project: string }) {
  const pid = projectApiId(entity, project);
  const versions = useQuery(versionsQuery(pid, v.name));
  const [params, setParams] = useSearchParams();
  const list = [...(versions.data ?? [])].sort((a, b) => b.index - a.index);
  const previous = list.find((o) => o.index < v.index);
  const from = params.get("from") ?? previous?.version ?? "";
  const to = params.get("to") ?? v.version;
  const choose = (key: "from" | "to", value: string) =>
    setParams(
      (p) => {
        p.set(key, value);
        return p;
      },
      { replace: true },
    );
  if (!versions.data) return versions.error ? <ErrorBanner error={versions.error} /> : <Loading what="Loading versions" />;
  return (
    <div className="art-diff">
      <div className="art-diff-bar">
        <label>
          From{" "}
          <select value={from} onChange={(e) => choose("from", e.target.value)} aria-label="From version">
            <option value="" disabled>
              choose
            </option>
            {list.map((o) => (
              <option key={o.version} value={o.version}>
                {o.version}
                {o.aliases?.length ? ` (${o.aliases.join(", ")})` : ""}
              </option>
            ))}
          </select>
        </label>
        <span className="muted">→</span>
        <label>
          To{" "}
          <select value={to} onChange={(e) => choose("to", e.target.value)} aria-label="To version">
            {list.map((o) => (
              <option key={o.version} value={o.version}>
                {o.version}
                {o.aliases?.length ? ` (${o.aliases.join(", ")})` : ""}
              </option>
            ))}
          </select>
        </label>
      </div>
      {!from ? <Empty title="Nothing to compare">This is the collection's only version.</Empty> : <Diff pid={pid} name={v.name} from={from} to={to} />}
    </div>
  );
}

function Diff({ pid, name, from, to }: { pid: string; name: string; from: string; to: string }) {
  const first = useQuery(diffPageQuery(pid, name, from, to, 0));
  if (!first.data) return first.error ? <ErrorBanner error={first.error} onRetry={() => void first.refetch()} /> : <Loading what="Comparing" />;
  const d = first.data;
  const counts: Record<ChangeKind, number> = { added: d.added, removed: d.removed, changed: d.changed };
  return (
    <>
      <div className="art-diff-counts" data-testid="diff-counts">
        {(["added", "removed", "changed"] as const).map((k) => (
          <span key={k} className={`art-change art-${k}`} data-count={k}>
            {counts[k].toLocaleString("en-US")} {k}
          </span>
        ))}
        <span className="muted small">
          {from} → {to}: {diffCounts(counts)}
        </span>
      </div>
      {d.total === 0 ? null : d.total <= d.entries.length ? <GroupedDiff entries={d.entries} /> : <PagedDiff pid={pid} name={name} from={from} to={to} total={d.total} />}
    </>
  );
}

/** A diff that fits one page, by kind: what was added, removed and changed, with the bytes each adds. */
function GroupedDiff({ entries }: { entries: DiffEntry[] }) {
  return (
    <div data-testid="diff-groups">
      {groupDiff(entries).map((g) => (
        <section key={g.change} className="art-diff-group" data-change={g.change}>
          <h2>
            <span className={`art-change art-${g.change}`}>{g.change}</span> <span className="muted small">{signedBytes(g.bytes)}</span>
          </h2>
          <table className="table compact">
            <tbody>
              {g.entries.map((e) => (
                <DiffRow key={e.path} e={e} />
              ))}
            </tbody>
          </table>
        </section>
      ))}
    </div>
  );
}

function DiffRow({ e }: { e: DiffEntry }) {
  return (
    <tr data-diff={e.path}>
      <td className="mono">{e.path}</td>
      <td className="num muted">{e.old_size != null ? formatBytes(e.old_size) : ""}</td>
      <td className="num">{e.new_size != null ? formatBytes(e.new_size) : ""}</td>
      <td className="num muted">{signedBytes(sizeDelta(e))}</td>
    </tr>
  );
}

const signedBytes = (n: number) => (n > 0 ? `+${formatBytes(n)}` : n < 0 ? formatBytes(n) : "±0 B");

const ROW_PX = 26;

/** A diff of any length: the server's pages by path, read where the list is scrolled to. */
function PagedDiff({ pid, name, from, to, total }: { pid: string; name: string; from: string; to: string; total: number }) {
  const scroller = useRef<HTMLDivElement>(null);
  const virt = useVirtualizer({ count: total, getScrollElement: () => scroller.current, estimateSize: () => ROW_PX, overscan: 20 });
  const items = virt.getVirtualItems();
  const pages = useDebounced([...new Set(items.map((i) => Math.floor(i.index / DIFF_PAGE)))].join(","), 80);
  const loaded = useQueries({ queries: (pages ? pages.split(",").map(Number) : []).map((n) => diffPageQuery(pid, name, from, to, n * DIFF_PAGE)) });
  const byPage = new Map<number, DiffEntry[]>();
  for (const q of loaded) if (q.data) byPage.set(Math.floor(q.data.offset / DIFF_PAGE), q.data.entries);
  return (
    <>
      <ErrorBanner error={loaded.find((q) => q.error)?.error} />
      <div className="art-tree art-diff-list" ref={scroller} data-testid="diff-list">
        <div style={{ height: virt.getTotalSize(), position: "relative" }}>
          {items.map((item) => {
            const e = byPage.get(Math.floor(item.index / DIFF_PAGE))?.[item.index % DIFF_PAGE];
            return (
              <div key={item.key} className="art-row art-diff-row" style={{ transform: `translateY(${item.start}px)`, height: ROW_PX }} data-diff={e?.path}>
                {e ? (
                  <>
                    <span className={`art-change art-${e.change}`}>{e.change}</span>
                    <span className="mono grow">{e.path}</span>
                    <span className="muted small">
                      {e.old_size != null ? formatBytes(e.old_size) : ""} → {e.new_size != null ? formatBytes(e.new_size) : ""}
                    </span>
                  </>
                ) : (
                  <span className="muted small">…</span>
                )}
              </div>
            );
          })}
        </div>
      </div>
    </>
  );
}
