import { useState } from "react";
import { Link } from "react-router";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { deleteProject, restoreProject, type Deletion } from "../../api/projects";
import type { Project } from "../../api/types";
import { ErrorBanner } from "../../components/status";
import { when } from "./format";

/** Deletes the project after its full name is typed; the receipt offers the undo until the purge. */
export function DeleteProjectCard({ project }: { project: Project }) {
  const client = useQueryClient();
  const fullName = `${project.entity}/${project.name}`;
  const [typed, setTyped] = useState("");
  const [receipt, setReceipt] = useState<Deletion | null>(null);
  // Only the list: refetching this page's own project would answer 404 and take the receipt (and its undo) away.
  const forget = () => client.invalidateQueries({ queryKey: ["projects", "list"] });
  const remove = useMutation({ mutationFn: () => deleteProject(project.id), onSuccess: setReceipt, onSettled: forget });
  const restore = useMutation({ mutationFn: () => restoreProject(project.id), onSuccess: setReceipt, onSettled: forget });
  const deleted = receipt && receipt.state !== "restored";
  return (
    <section className="settings-card danger-zone" aria-labelledby="delete-head">
      <h2 id="delete-head">Delete project</h2>
      <ErrorBanner error={remove.error ?? restore.error} />
      {deleted ? (
        <div role="status" data-testid="deletion">
          <p>
            <strong>{receipt.name}</strong> is deleted: it is hidden now, and its runs, views and artifacts are purged after{" "}
            {when(receipt.purge_after)} unless you restore it before.
          </p>
          <button className="btn" onClick={() => restore.mutate()} disabled={restore.isPending}>
            Restore project
          </button>{" "}
          <Link to="/">Back to projects</Link>
        </div>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            remove.mutate();
          }}
        >
          {receipt?.state === "restored" && (
            <p className="small" role="status">
              Restored.
            </p>
          )}
          <p className="small">
            This hides the project with all its runs, views and artifacts, and purges them after a grace period. Type <code>{fullName}</code> to
            confirm.
          </p>
          <div className="settings-row">
            <input aria-label="Type the project's full name to confirm" value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" />
            <button className="btn btn-danger" type="submit" disabled={typed !== fullName || remove.isPending}>
              Delete this project
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
