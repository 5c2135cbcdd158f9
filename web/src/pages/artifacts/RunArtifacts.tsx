import { Link } from "react-router";
import { useQuery } from "@tanstack/react-query";
import type { ArtifactVersion } from "../../api/artifacts";
import type { Run } from "../../api/types";
import { Empty, ErrorBanner, Loading } from "../../components/status";
import { runArtifactsQuery } from "../../queries/artifacts";
import { formatBytes } from "../../shaping/units";
import { Aliases } from "./Aliases";
import { shortTime, versionHref } from "./links";
import { useProjectPaths } from "./useProjectPaths";

/** The run page's Artifacts tab: the versions the run used and those it logged, each linking to its page. */
export function RunArtifacts({ run, entity, project }: { run: Pick<Run, "id" | "project_id">; entity: string; project: string }) {
  const arts = useQuery(runArtifactsQuery(run.project_id, run.id));
  const all = [...(arts.data?.used ?? []), ...(arts.data?.logged ?? [])];
  const paths = useProjectPaths(
    all.map((v) => v.project_id),
    { id: run.project_id, entity, name: project },
  );
  if (!arts.data) return arts.error ? <ErrorBanner error={arts.error} onRetry={() => void arts.refetch()} /> : <Loading what="Loading artifacts" />;
  if (arts.data.used.length === 0 && arts.data.logged.length === 0)
    return <Empty title="This run used and logged no artifacts">run.use_artifact() and run.log_artifact() record them here.</Empty>;
  return (
    <div className="cards">
      <VersionList title="Logged" testid="run-logged" versions={arts.data.logged} paths={paths} />
      <VersionList title="Used" testid="run-used" versions={arts.data.used} paths={paths} />
    </div>
  );
}

function VersionList({ title, testid, versions, paths }: { title: string; testid: string; versions: ArtifactVersion[]; paths: Map<string, [string, string]> }) {
  return (
    <section className="card" data-testid={testid}>
      <h2>
        {title} <span className="muted small">{versions.length}</span>
      </h2>
      {versions.length === 0 ? (
        <div className="muted small">None</div>
      ) : (
        <table className="table compact">
          <tbody>
            {versions.map((v) => (
              <tr key={v.id}>
                <td>
                  <VersionLink v={v} at={paths.get(v.project_id)} />
                </td>
                <td className="muted">{v.type}</td>
                <td>
                  <Aliases aliases={v.aliases} />
                </td>
                <td className="num">{formatBytes(v.size)}</td>
                <td className="muted small">{shortTime(v.created_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** name:vN, a link once the version's project is known (another project's resolves by id). */
function VersionLink({ v, at }: { v: ArtifactVersion; at?: [string, string] }) {
  const text = `${v.name}:${v.version}`;
  if (!at) return <span className="mono">{text}</span>;
  return (
    <Link className="mono" to={versionHref(at[0], at[1], v.name, v.version)}>
      {text}
    </Link>
  );
}
