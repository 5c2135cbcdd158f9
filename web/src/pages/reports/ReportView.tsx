// A report, read-only: its blocks rendered straight from the spec (no editor is loaded), markdown
// blocks through marked + DOMPurify, panel grids live (polled while runs run, unless frozen). Once
// every grid has drawn its panels the root gets data-report-ready="true" and window.__reportReady
// is set: the PDF export (headless Chromium) prints only after that, so no chart is blank.
// Comment threads anchored to a text range are highlighted in place; selecting text inside one
// block offers to comment on that range.
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import type { Anchor } from "./api";
import { selectionInBlock } from "./comments/textRanges";
import { useCommentHighlights, type Anchored } from "./comments/useCommentHighlights";
import { PanelGrid } from "./panels/PanelGrid";
import { CodeHighlight } from "./render/CodeHighlight";
import { InlineText } from "./render/InlineText";
import { safeMediaUrl } from "./render/media";
import { SafeMarkdown } from "./render/SafeMarkdown";
import { Tex } from "./render/Tex";
import { plainText, type Block, type ListItem, type ReportSpec } from "./spec";
import "./reports.css";

declare global {
  interface Window {
    __reportReady?: boolean;
  }
}

interface Props {
  spec: ReportSpec;
  frozen?: boolean;
  /** Shown beside each block (a comment button); the block's id is passed. */
  blockAside?: (blockId: string) => ReactNode;
  /** The block to mark (a comment thread's anchor). */
  highlight?: string | null;
  /** Comment threads whose text ranges are highlighted. */
  comments?: readonly Anchored[];
  /** The thread whose range is highlighted more strongly (the one being looked at). */
  activeComment?: string | null;
  /** Offers "Comment" on a text selection inside one block; called with its anchor. */
  onCommentSelection?: (anchor: Anchor) => void;
}

const NO_COMMENTS: readonly Anchored[] = [];

/** A "Comment" button above the text selected inside one block of `root`, while there is one. */
function SelectionComment({ root, onComment }: { root: React.RefObject<HTMLElement | null>; onComment: (anchor: Anchor) => void }) {
  const [pending, setPending] = useState<{ anchor: Anchor; top: number; left: number } | null>(null);
  useEffect(() => {
    const el = root.current;
    if (!el) return;
    const look = () => {
      const anchor = selectionInBlock(el);
      const sel = window.getSelection();
      if (!anchor || !sel?.rangeCount) return setPending(null);
      const box = sel.getRangeAt(0).getBoundingClientRect();
      const at = el.getBoundingClientRect();
      setPending({ anchor, top: box.top - at.top - 34, left: Math.max(0, box.left - at.left) });
    };
    // After the browser has updated the selection for this mouse or key event.
    const later = () => setTimeout(look, 0);
    const cleared = () => {
      if (window.getSelection()?.isCollapsed) setPending(null);
    };
    el.addEventListener("mouseup", later);
    el.addEventListener("keyup", later);
    document.addEventListener("selectionchange", cleared);
    return () => {
      el.removeEventListener("mouseup", later);
      el.removeEventListener("keyup", later);
      document.removeEventListener("selectionchange", cleared);
    };
  }, [root]);
  if (!pending) return null;
  return (
    <button
      className="btn btn-small report-select-comment"
      style={{ top: pending.top, left: pending.left }}
      // Keeps the selection: a mousedown on a button would otherwise clear it before the click.
      onMouseDown={(e) => e.preventDefault()}
      onClick={() => {
        onComment(pending.anchor);
        setPending(null);
      }}
    >
      💬 Comment
    </button>
  );
}

function Items({ items, ordered, start }: { items: ListItem[]; ordered: boolean; start?: number }) {
  const lis = items.map((it, i) => (
    <li key={i} className={typeof it.checked === "boolean" ? "md-task" : undefined}>
      {typeof it.checked === "boolean" && <input type="checkbox" checked={it.checked} readOnly disabled aria-label={it.checked ? "done" : "not done"} />}
      <InlineText text={it.text} />
      {it.children && it.children.length > 0 && <Items items={it.children} ordered={ordered} />}
    </li>
  ));
  return ordered ? <ol start={start}>{lis}</ol> : <ul>{lis}</ul>;
}

function Toc({ blocks }: { blocks: Block[] }) {
  const headings = blocks.filter((b): b is Extract<Block, { type: "heading" }> => b.type === "heading");
  return (
    <nav className="report-toc" aria-label="Contents">
      <div className="muted small">Contents</div>
      <ul>
        {headings.map((h) => (
          <li key={h.id} className={`toc-l${h.level}`}>
            <a href={`#block-${h.id}`}>{plainText(h.text) || "Untitled"}</a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function BlockBody({ b, all, frozen, onDrawn }: { b: Block; all: Block[]; frozen: boolean; onDrawn: (id: string) => void }) {
  switch (b.type) {
    case "heading": {
      const H = (["h1", "h2", "h3"] as const)[b.level - 1];
      return (
        <H>
          <InlineText text={b.text} />
        </H>
      );
    }
    case "paragraph":
      return (
        <p>
          <InlineText text={b.text} />
        </p>
      );
    case "bulleted_list":
      return <Items items={b.items} ordered={false} />;
    case "numbered_list":
      return <Items items={b.items} ordered start={b.start} />;
    case "quote":
      return (
        <blockquote>
          <InlineText text={b.text} />
        </blockquote>
      );
    case "callout":
      return (
        <div className="report-callout" data-tone={b.tone}>
          <span className="report-callout-tone">{b.tone}</span>
          <div>
            <InlineText text={b.text} />
          </div>
        </div>
      );
    case "code":
      return <CodeHighlight code={b.code} language={b.language} />;
    case "markdown":
      return <SafeMarkdown source={b.markdown} />;
    case "latex":
      return <Tex latex={b.latex} display />;
    case "image": {
      const src = safeMediaUrl(b.url);
      return (
        <figure className="report-media">
          {src && <img src={src} alt={b.caption ?? ""} width={b.width} />}
          {b.caption && <figcaption>{b.caption}</figcaption>}
        </figure>
      );
    }
    case "video": {
      const src = safeMediaUrl(b.url);
      return (
        <figure className="report-media">
          {src && <video src={src} controls preload="metadata" />}
          {b.caption && <figcaption>{b.caption}</figcaption>}
        </figure>
      );
    }
    case "horizontal_rule":
      return <hr />;
    case "table_of_contents":
      return <Toc blocks={all} />;
    case "panel_grid":
      return <PanelGrid grid={b} frozen={frozen} onDrawn={() => onDrawn(b.id)} />;
  }
}

export function ReportView({ spec, frozen = false, blockAside, highlight, comments = NO_COMMENTS, activeComment = null, onCommentSelection }: Props) {
  const root = useRef<HTMLElement>(null);
  useCommentHighlights(root, comments, activeComment, spec);
  const grids = useMemo(() => spec.blocks.filter((b) => b.type === "panel_grid").map((b) => b.id), [spec.blocks]);
  const [drawn, setDrawn] = useState<ReadonlySet<string>>(new Set());
  const onDrawn = useCallback((id: string) => setDrawn((s) => (s.has(id) ? s : new Set(s).add(id))), []);
  const ready = grids.every((id) => drawn.has(id));
  useEffect(() => {
    if (ready) window.__reportReady = true;
    return () => {
      window.__reportReady = false;
    };
  }, [ready]);
  return (
    <article ref={root} className={`report-doc report-width-${spec.width ?? "readable"}`} data-report-ready={ready ? "true" : "false"} data-testid="report-view">
      {onCommentSelection && <SelectionComment root={root} onComment={onCommentSelection} />}
      {spec.blocks.map((b) => (
        <section key={b.id} id={`block-${b.id}`} className={`report-block${highlight === b.id ? " highlighted" : ""}`} data-block-id={b.id} data-block-type={b.type}>
          <BlockBody b={b} all={spec.blocks} frozen={frozen} onDrawn={onDrawn} />
          {blockAside && <div className="report-block-aside">{blockAside(b.id)}</div>}
        </section>
      ))}
    </article>
  );
}
