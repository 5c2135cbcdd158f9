import { useEffect } from "react";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import type { Run } from "../../../api/types";
import { mediaItemQuery } from "../../../queries/media";
import { ErrorBanner, Loading } from "../../../components/status";
import { Object3DView, prepare3D, type Object3DDescriptor } from "./Object3DView";
import { StepNote } from "./StepNote";

/** A run's 3D objects (point clouds with boxes and vectors, or meshes) at one step. */
export function Object3DPanel({ run, mediaKey, step, requested }: { run: Run; mediaKey: string; step: number; requested: number }) {
  const q = useQuery({ ...mediaItemQuery(run, mediaKey, step), placeholderData: keepPreviousData });
  useEffect(prepare3D, []);
  if (q.error && !q.data) return <ErrorBanner error={q.error} />;
  const d = q.data?.descriptor as Object3DDescriptor | undefined;
  if (!d) return <Loading what="Loading 3D object" />;
  const items = d._type === "gallery" ? ((d as unknown as { items?: Object3DDescriptor[] }).items ?? []) : [d];
  return (
    <div className="media-3d-list" data-run={run.id}>
      <StepNote shown={q.data?.step ?? step} requested={requested} />
      {/* By position, not step: a view and its canvas stay while the slider moves, showing the last frame until the next is drawn. */}
      {items
        .filter((it) => it._type === "object3D-file")
        .map((it, i) => (
          <Object3DView key={i} descriptor={it} title={`${mediaKey} (${run.name ?? run.id})`} />
        ))}
    </div>
  );
}
