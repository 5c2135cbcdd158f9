// A report's table panel: a logged table (wandb.Table, `config.key`) of the run set's runs, at
// `config.step` or the latest step, in the workspace's table viewer.
import type { Run } from "../../../api/types";
import { LATEST_STEP } from "../../../api/tables";
import { ErrorBanner, Loading } from "../../../components/status";
import { LoggedTable } from "./LoggedTable";
import { useMediaKeys } from "./useMediaKeys";

export default function LoggedTablePanel({ runs, tableKey, step }: { runs: Run[]; tableKey: string; step: number | null }) {
  const media = useMediaKeys(runs, tableKey ? [tableKey] : []);
  if (!tableKey) return <div className="panel-empty muted small">Choose the logged table this panel shows (its key).</div>;
  if (media.error) return <ErrorBanner error={media.error} />;
  if (media.pending) return <Loading what="Loading tables" />;
  const logged = (media.entries[0]?.perRun ?? []).filter((p) => p.mk.type === "table-file").map((p) => p.run);
  if (logged.length === 0) return <div className="panel-empty muted small">No run in this run set logged a table under {tableKey}.</div>;
  return <LoggedTable tableKey={tableKey} runs={logged} step={step ?? LATEST_STEP} />;
}
