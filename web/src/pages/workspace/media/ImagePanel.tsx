import { useEffect, useMemo, useRef, useState } from "react";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import type { Run } from "../../../api/types";
import { mediaItemQuery } from "../../../queries/media";
import { boxRect, classColor, type BoxPosition } from "../../../shaping/media";
import { ErrorBanner } from "../../../components/status";
import { StepNote } from "./StepNote";

interface Box {
  position: BoxPosition;
  class_id: number;
  box_caption?: string;
  domain?: string;
}
interface BoxGroup {
  box_data?: Box[];
  class_labels?: Record<string, string>;
}
interface MaskGroup {
  png?: string;
  class_labels?: Record<string, string>;
}
interface ImageDescriptor {
  _type: string;
  url?: string;
  caption?: string;
  width?: number;
  height?: number;
  boxes?: Record<string, BoxGroup>;
  masks?: Record<string, MaskGroup>;
  classes?: { id: number; name: string }[];
}

/** Class id -> name over every box and mask group of the shown images (and their class sets). */
function classLabels(images: ImageDescriptor[]): Map<number, string> {
  const out = new Map<number, string>();
  for (const im of images) {
    for (const c of im.classes ?? []) out.set(c.id, c.name);
    for (const g of [...Object.values(im.boxes ?? {}), ...Object.values(im.masks ?? {})])
      for (const [id, name] of Object.entries(g.class_labels ?? {})) out.set(Number(id), name);
    for (const g of Object.values(im.boxes ?? {})) for (const b of g.box_data ?? []) if (!out.has(b.class_id)) out.set(b.class_id, `class ${b.class_id}`);
  }
  return out;
}

/** A grid of a run's images at one step, captions below, box and mask overlays with a toggle per class. */
export function ImagePanel({ run, mediaKey, step, requested }: { run: Run; mediaKey: string; step: number; requested: number }) {
  const q = useQuery({ ...mediaItemQuery(run, mediaKey, step), placeholderData: keepPreviousData });
  const [hidden, setHidden] = useState<ReadonlySet<number>>(new Set());
  const images = useMemo<ImageDescriptor[]>(() => {
    const d = q.data?.descriptor as ImageDescriptor | undefined;
    if (!d) return [];
    if (d._type === "gallery") return ((d as unknown as { items?: ImageDescriptor[] }).items ?? []).filter((i) => i._type === "image-file");
    return d._type === "image-file" ? [d] : [];
  }, [q.data]);
  const labels = useMemo(() => classLabels(images), [images]);
  if (q.error && !q.data) return <ErrorBanner error={q.error} />;
  const toggle = (id: number) =>
    setHidden((h) => {
      const n = new Set(h);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });
  return (
    <div className="media-images" data-run={run.id}>
      <StepNote shown={q.data?.step ?? step} requested={requested} />
      {labels.size > 0 && (
        <div className="media-classes" role="group" aria-label="Classes">
          {[...labels.entries()].map(([id, name]) => {
            const [r, g, b] = classColor(id);
            return (
              <label key={id} className="media-class">
                <input type="checkbox" checked={!hidden.has(id)} onChange={() => toggle(id)} />
                <span className="swatch" style={{ background: `rgb(${r},${g},${b})` }} />
                {name}
              </label>
            );
          })}
        </div>
      )}
      <div className="media-grid">
        {images.map((im, i) => (
          <figure key={i} className="media-figure">
            <div className="media-img-wrap">
              <img src={im.url} alt={im.caption ?? `${mediaKey} step ${q.data?.step}`} loading="lazy" />
              {Object.entries(im.masks ?? {}).map(([name, m]) => m.png && <MaskLayer key={name} png={m.png} hidden={hidden} />)}
              <BoxLayer image={im} hidden={hidden} />
            </div>
            {im.caption && <figcaption>{im.caption}</figcaption>}
          </figure>
        ))}
      </div>
    </div>
  );
}

function BoxLayer({ image, hidden }: { image: ImageDescriptor; hidden: ReadonlySet<number> }) {
  const boxes = Object.values(image.boxes ?? {}).flatMap((g) => g.box_data ?? []);
  if (boxes.length === 0) return null;
  return (
    <svg className="media-overlay" viewBox="0 0 1 1" preserveAspectRatio="none" aria-hidden="true">
      {boxes.map((b, i) => {
        const r = boxRect(b.position, b.domain === "pixel", image.width ?? 1, image.height ?? 1);
        if (!r || hidden.has(b.class_id)) return null;
        const [red, g, bl] = classColor(b.class_id);
        return (
          <rect key={i} data-class={b.class_id} x={r.x} y={r.y} width={r.w} height={r.h} fill="none" stroke={`rgb(${red},${g},${bl})`} strokeWidth={2} vectorEffect="non-scaling-stroke">
            {b.box_caption && <title>{b.box_caption}</title>}
          </rect>
        );
      })}
    </svg>
  );
}

/** A mask (8-bit grey PNG of class ids) drawn in class colours, hidden classes left clear. */
function MaskLayer({ png, hidden }: { png: string; hidden: ReadonlySet<number> }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const img = new Image();
    let live = true;
    img.onload = () => {
      const canvas = ref.current;
      if (!live || !canvas) return;
      canvas.width = img.naturalWidth;
      canvas.height = img.naturalHeight;
      const ctx = canvas.getContext("2d");
      if (!ctx) return;
      ctx.drawImage(img, 0, 0);
      const data = ctx.getImageData(0, 0, canvas.width, canvas.height);
      const px = data.data;
      for (let i = 0; i < px.length; i += 4) {
        const id = px[i];
        if (hidden.has(id)) {
          px[i + 3] = 0;
          continue;
        }
        const [r, g, b] = classColor(id);
        px[i] = r;
        px[i + 1] = g;
        px[i + 2] = b;
        px[i + 3] = 110;
      }
      ctx.putImageData(data, 0, 0);
    };
    img.src = `data:image/png;base64,${png}`;
    return () => {
      live = false;
    };
  }, [png, hidden]);
  return <canvas ref={ref} className="media-overlay" aria-hidden="true" />;
}
