// React node views of the report's own nodes in the editor. Each atom block edits its attributes
// in place (a textarea, a URL field) and previews them with the view's renderers.
import { useEffect, useState } from "react";
import { NodeViewContent, NodeViewWrapper, ReactNodeViewRenderer, type NodeViewProps } from "@tiptap/react";
import type { Editor } from "@tiptap/core";
import { PanelGrid, type Grid } from "../panels/PanelGrid";
import { renderTexInto, Tex } from "../render/Tex";
import { SafeMarkdown } from "../render/SafeMarkdown";
import { safeMediaUrl } from "../render/media";
import { TONES, type Tone } from "../spec";
import type { NodeViews } from "./nodes";

const str = (v: unknown) => (typeof v === "string" ? v : "");

function CalloutView({ node, updateAttributes, editor }: NodeViewProps) {
  return (
    <NodeViewWrapper className="report-callout" data-tone={node.attrs.tone} data-block-id={node.attrs.blockId}>
      <select contentEditable={false} className="report-callout-tone" value={node.attrs.tone} disabled={!editor.isEditable} onChange={(e) => updateAttributes({ tone: e.target.value as Tone })} aria-label="Callout tone">
        {TONES.map((t) => (
          <option key={t} value={t}>
            {t}
          </option>
        ))}
      </select>
      <NodeViewContent className="report-callout-text" />
    </NodeViewWrapper>
  );
}

function SourceBlock({ node, updateAttributes, selected, field, label, preview }: NodeViewProps & { field: string; label: string; preview: (src: string) => React.ReactNode }) {
  const src = str(node.attrs[field]);
  const [editing, setEditing] = useState(src === "");
  return (
    <NodeViewWrapper className={`report-source-block${selected ? " selected" : ""}`} data-block-id={node.attrs.blockId} data-node={node.type.name}>
      <div className="report-source-head" contentEditable={false}>
        <span className="muted small">{label}</span>
        <button className="btn btn-small" onClick={() => setEditing(!editing)}>
          {editing ? "Preview" : "Edit"}
        </button>
      </div>
      {editing ? (
        <textarea className="report-source mono" value={src} rows={Math.min(20, Math.max(3, src.split("\n").length + 1))} onChange={(e) => updateAttributes({ [field]: e.target.value })} aria-label={label} autoFocus />
      ) : (
        <div onDoubleClick={() => setEditing(true)}>{src ? preview(src) : <span className="muted small">Empty {label.toLowerCase()}</span>}</div>
      )}
    </NodeViewWrapper>
  );
}

const MarkdownView = (p: NodeViewProps) => <SourceBlock {...p} field="markdown" label="Markdown" preview={(s) => <SafeMarkdown source={s} />} />;
const LatexView = (p: NodeViewProps) => <SourceBlock {...p} field="latex" label="LaTeX" preview={(s) => <Tex latex={s} display />} />;

function MediaView({ node, updateAttributes, selected }: NodeViewProps) {
  const video = node.type.name === "reportVideo";
  const url = str(node.attrs.url);
  const safe = safeMediaUrl(url);
  return (
    <NodeViewWrapper className={`report-media${selected ? " selected" : ""}`} data-block-id={node.attrs.blockId} data-node={node.type.name}>
      <div className="report-media-fields" contentEditable={false}>
        <input value={url} placeholder={video ? "Video URL (https://… or /api/…)" : "Image URL (https://… or /api/…)"} onChange={(e) => updateAttributes({ url: e.target.value })} aria-label={video ? "Video URL" : "Image URL"} />
        <input value={str(node.attrs.caption)} placeholder="Caption" onChange={(e) => updateAttributes({ caption: e.target.value || null })} aria-label="Caption" />
      </div>
      {safe && (video ? <video src={safe} controls preload="metadata" /> : <img src={safe} alt={str(node.attrs.caption)} width={node.attrs.width ?? undefined} />)}
    </NodeViewWrapper>
  );
}

/** The headings of the document, kept current as it changes. */
function useHeadings(editor: Editor) {
  const read = () => {
    const out: { id: string; level: number; text: string }[] = [];
    editor.state.doc.forEach((n) => {
      if (n.type.name === "heading") out.push({ id: str(n.attrs.blockId), level: n.attrs.level as number, text: n.textContent });
    });
    return out;
  };
  const [headings, setHeadings] = useState(read);
  useEffect(() => {
    const update = () => setHeadings(read());
    editor.on("update", update);
    return () => void editor.off("update", update);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- read() only reads the editor
  }, [editor]);
  return headings;
}

function TocView({ editor, node }: NodeViewProps) {
  const headings = useHeadings(editor);
  return (
    <NodeViewWrapper className="report-toc" data-block-id={node.attrs.blockId} contentEditable={false}>
      <div className="muted small">Contents</div>
      {headings.length === 0 ? (
        <div className="muted small">Headings appear here.</div>
      ) : (
        <ul>
          {headings.map((h) => (
            <li key={h.id} className={`toc-l${h.level}`}>
              <a href={`#block-${h.id}`}>{h.text || "Untitled"}</a>
            </li>
          ))}
        </ul>
      )}
    </NodeViewWrapper>
  );
}

function PanelGridView({ node, updateAttributes, editor }: NodeViewProps) {
  const grid = node.attrs.grid as Grid;
  return (
    <NodeViewWrapper className="report-grid-node" data-block-id={node.attrs.blockId} data-node="panelGrid" contentEditable={false}>
      <PanelGrid grid={grid} editable={editor.isEditable} onChange={(g) => updateAttributes({ grid: g })} />
    </NodeViewWrapper>
  );
}

// Events inside an atom's own controls (typing in a textarea, dragging a panel) are theirs, not ProseMirror's.
const ownEvents = { stopEvent: ({ event }: { event: Event }) => !(event.target as HTMLElement | null)?.closest?.("[data-drag-handle]") && event.type !== "dragstart" };

/** A plain-DOM view for inline math (inline React views cost a root each): click to edit its source. */
const inlineMathView: NodeViews["inlineMath"] = ({ node, getPos, editor }) => {
  const dom = document.createElement("span");
  dom.className = "report-math";
  dom.contentEditable = "false";
  renderTexInto(dom, str(node.attrs.latex));
  dom.addEventListener("click", () => {
    if (!editor.isEditable) return;
    const next = window.prompt("LaTeX", str(node.attrs.latex));
    const pos = typeof getPos === "function" ? getPos() : undefined;
    if (next !== null && typeof pos === "number") editor.chain().setNodeSelection(pos).updateAttributes("inlineMath", { latex: next }).run();
  });
  return { dom };
};

export const nodeViews: NodeViews = {
  callout: ReactNodeViewRenderer(CalloutView),
  markdownBlock: ReactNodeViewRenderer(MarkdownView, ownEvents),
  latexBlock: ReactNodeViewRenderer(LatexView, ownEvents),
  reportImage: ReactNodeViewRenderer(MediaView, ownEvents),
  reportVideo: ReactNodeViewRenderer(MediaView, ownEvents),
  tableOfContents: ReactNodeViewRenderer(TocView),
  panelGrid: ReactNodeViewRenderer(PanelGridView, ownEvents),
  inlineMath: inlineMathView,
};
