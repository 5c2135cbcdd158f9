import { formatValue } from "../../shaping/fields";

interface MediaRef {
  _type?: string;
  url?: string;
  caption?: string;
  path?: string;
}

const ICONS: Record<string, string> = {
  "audio-file": "♪",
  "video-file": "▶",
  "html-file": "⟨⟩",
  "object3D-file": "◆",
  "plotly-file": "📈",
  "table-file": "▦",
  "molecule-file": "⬡",
};

/** A media cell: images as thumbnails, other media as a small link that opens the object. */
function Media({ m }: { m: MediaRef }) {
  const type = m._type ?? "media";
  if (type === "image-file" && m.url)
    return (
      <a href={m.url} target="_blank" rel="noreferrer" className="tv-media" title={m.caption ?? "image"}>
        <img className="tv-thumb" src={m.url} alt={m.caption ?? "image"} loading="lazy" />
      </a>
    );
  const label = type.replace(/-file$/, "");
  return m.url ? (
    <a href={m.url} target="_blank" rel="noreferrer" className="tv-media-link" title={m.caption ?? m.path ?? label} data-media-type={type}>
      <span aria-hidden="true">{ICONS[type] ?? "□"}</span> {label}
    </a>
  ) : (
    <span className="muted" data-media-type={type}>
      {label}
    </span>
  );
}

/** One cell of a logged table as its column kind says: media inline, numbers formatted, the rest as text. */
export function TableCell({ value, kind }: { value: unknown; kind: string }) {
  if (value === null || value === undefined) return <span className="muted"> </span>;
  if (kind.startsWith("media:") && typeof value === "object") return <Media m={value as MediaRef} />;
  if (Array.isArray(value) && value.some((v) => v && typeof v === "object" && "_type" in v))
    return (
      <span className="tv-media-list">
        {value.map((v, i) => (v && typeof v === "object" ? <Media key={i} m={v as MediaRef} /> : null))}
      </span>
    );
  const text = typeof value === "object" ? JSON.stringify(value) : formatValue(value);
  return <span title={text}>{text}</span>;
}
