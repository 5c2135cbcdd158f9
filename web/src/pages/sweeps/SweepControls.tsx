import { useMutation, useQueryClient } from "@tanstack/react-query";
import { patchSweep, type Sweep } from "../../api/sweeps";
import { ErrorBanner } from "../../components/status";
import { sweepKey, sweepsKey } from "../../queries/sweeps";
import { ACTION_HELP, ACTION_LABEL, ACTION_STATE, allowedActions, type SweepAction } from "../../shaping/sweeps";

/**
 * The state changes the sweep's state allows (pause, resume, stop, cancel), for a caller who may write
 * runs in the project. Cancel stops running trials, so it asks first. The server checks every change.
 */
export function SweepControls({ sweep, canWrite }: { sweep: Sweep; canWrite: boolean }) {
  const qc = useQueryClient();
  const change = useMutation({
    mutationFn: (action: SweepAction) => patchSweep(sweep.id, { state: ACTION_STATE[action] }),
    onSuccess: (next) => {
      qc.setQueryData(sweepKey(sweep.id), next);
      void qc.invalidateQueries({ queryKey: sweepKey(sweep.id) });
      void qc.invalidateQueries({ queryKey: sweepsKey(sweep.project_id) });
    },
  });
  const actions = allowedActions(sweep.state);
  if (!canWrite || actions.length === 0) return null;
  const run = (action: SweepAction) => {
    if (action === "cancel" && !window.confirm("Cancel this sweep? Its running trials are stopped, and it cannot be resumed.")) return;
    change.mutate(action);
  };
  return (
    <div className="sweep-controls" data-testid="sweep-controls">
      {actions.map((a) => (
        <button
          key={a}
          className={`btn${a === "cancel" ? " sweep-cancel" : ""}`}
          title={ACTION_HELP[a]}
          disabled={change.isPending}
          onClick={() => run(a)}
          data-action={a}
        >
          {ACTION_LABEL[a]}
        </button>
      ))}
      <ErrorBanner error={change.error} />
    </div>
  );
}
