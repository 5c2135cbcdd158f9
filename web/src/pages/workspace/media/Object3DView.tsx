import { useEffect, useRef, useState } from "react";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { classColor } from "../../../shaping/media";
import { isPointFormat, STRIDE, type Box3D, type Vector3D } from "../../../shaping/pointcloud";
import { ErrorBanner } from "../../../components/status";
import { fetchObject, started } from "./three/fetchObject";
import type { CameraView, Viewer } from "./three/viewer";

const loadViewer = () => import("./three/viewer");

/** Starts three.js loading and the fetch worker as a 3D panel mounts, while its descriptor and bytes download. */
export function prepare3D(): void {
  started();
  void loadViewer();
}

export interface Object3DDescriptor {
  _type: string;
  url?: string;
  sha256?: string;
  format?: string;
  points?: number;
  point_format?: string;
  boxes?: Box3D[];
  vectors?: Vector3D[];
  caption?: string;
}

/**
 * One logged 3D object: its bytes from the presigned GET, drawn by the three.js viewer (a chunk of
 * its own, loaded with the first such panel), with a legend of point categories and box labels.
 */
export function Object3DView({ descriptor: d, title }: { descriptor: Object3DDescriptor; title: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  // The camera outlives a step: scrubbing the slider keeps the angle the user orbited to.
  const camera = useRef<CameraView | null>(null);
  const { format = "", point_format: pointFormat, points, boxes, vectors } = d;
  const size = isPointFormat(pointFormat) && points != null ? points * STRIDE[pointFormat] * 4 : undefined;
  const bytes = useQuery({
    queryKey: ["media-object3d", d.sha256 ?? d.url],
    queryFn: () => fetchObject(d.url!, format.endsWith(".zst"), size),
    enabled: !!d.url,
    staleTime: Infinity,
    // A million points are 24 MB: a cloud no panel shows is let go after a minute.
    gcTime: 60_000,
    placeholderData: keepPreviousData,
  });
  const [shown, setShown] = useState<{ categories: number[]; error?: unknown }>({ categories: [] });
  // While the next step's bytes load, the last frame stays in the canvas; the scene is rebuilt only
  // from bytes that belong to this descriptor (never the previous step's with this one's boxes).
  const ready = bytes.data && !bytes.isPlaceholderData ? bytes.data : null;
  useEffect(() => {
    const canvas = ref.current;
    if (!canvas || !ready) return;
    let live = true;
    let viewer: Viewer | null = null;
    loadViewer()
      .then((m) => m.openViewer(canvas, { format, pointFormat, bytes: ready, boxes, vectors }, camera.current))
      .then((v) => {
        if (!live) return v.dispose();
        viewer = v;
        setShown({ categories: v.categories });
      })
      .catch((error: unknown) => live && setShown({ categories: [], error }));
    return () => {
      live = false;
      if (viewer) camera.current = viewer.view();
      viewer?.dispose();
    };
  }, [ready, format, pointFormat, boxes, vectors]);
  const error = bytes.error ?? shown.error;
  const labelled = (boxes ?? []).filter((b) => b.label);
  return (
    <figure className="media-figure media-3d">
      {error ? <ErrorBanner error={error} /> : null}
      <canvas ref={ref} className="media-3d-canvas" role="img" aria-label={d.caption ?? title} data-format={format} />
      {(shown.categories.length > 0 || labelled.length > 0) && (
        <div className="media-classes">
          {shown.categories.map((c) => (
            <span key={`c${c}`} className="media-class">
              <span className="swatch" style={{ background: `rgb(${classColor(c).join(",")})` }} />
              {`class ${c}`}
            </span>
          ))}
          {labelled.map((b, i) => (
            <span key={`b${i}`} className="media-class" data-box-label={b.label}>
              <span className="swatch box" style={{ borderColor: b.color ? `rgb(${b.color.join(",")})` : undefined }} />
              {b.label}
              {b.score != null && <span className="muted"> {b.score.toFixed(2)}</span>}
            </span>
          ))}
        </div>
      )}
      {d.caption && <figcaption>{d.caption}</figcaption>}
    </figure>
  );
}
