// The "/" menu's entries: every block the spec has. Pure data and a filter, so the menu's choice
// is unit-tested without a browser; `insert` runs on the editor's chain.
import type { ChainedCommands } from "@tiptap/core";
import { newBlockId, type PanelGridBlock, type Tone } from "../spec";

export interface SlashItem {
  id: string;
  title: string;
  /** other words that find it */
  keywords: string[];
  /** what typing it as markdown does instead, shown beside it */
  hint?: string;
  insert: (chain: ChainedCommands) => ChainedCommands;
}

const atom = (type: string, attrs: Record<string, unknown> = {}) => (c: ChainedCommands) =>
  c.insertContent([{ type, attrs: { blockId: newBlockId(), ...attrs } }, { type: "paragraph" }]);

const callout = (tone: Tone): SlashItem => ({
  id: `callout-${tone}`,
  title: `Callout: ${tone}`,
  keywords: ["callout", "admonition", "alert", tone],
  insert: (c) => c.setNode("callout", { tone }),
});

/** A new panel grid: one run set on the report's project, no panels yet. */
export const newGrid = (project: string): Pick<PanelGridBlock, "run_sets" | "panels"> => ({
  run_sets: [{ id: newBlockId(), name: "Run set", project }],
  panels: [],
});

export function slashItems(project: string): SlashItem[] {
  return [
    { id: "paragraph", title: "Text", keywords: ["paragraph", "plain"], insert: (c) => c.setParagraph() },
    { id: "heading-1", title: "Heading 1", keywords: ["h1", "title"], hint: "#", insert: (c) => c.setHeading({ level: 1 }) },
    { id: "heading-2", title: "Heading 2", keywords: ["h2", "subtitle"], hint: "##", insert: (c) => c.setHeading({ level: 2 }) },
    { id: "heading-3", title: "Heading 3", keywords: ["h3"], hint: "###", insert: (c) => c.setHeading({ level: 3 }) },
    { id: "bulleted-list", title: "Bulleted list", keywords: ["ul", "bullet", "list"], hint: "-", insert: (c) => c.toggleBulletList() },
    { id: "numbered-list", title: "Numbered list", keywords: ["ol", "ordered", "list"], hint: "1.", insert: (c) => c.toggleOrderedList() },
    { id: "quote", title: "Quote", keywords: ["blockquote", "citation"], hint: ">", insert: (c) => c.setParagraph().toggleBlockquote() },
    callout("note"),
    callout("tip"),
    callout("important"),
    callout("warning"),
    callout("caution"),
    { id: "code", title: "Code block", keywords: ["code", "snippet", "pre", "python"], hint: "```", insert: (c) => c.setCodeBlock() },
    { id: "markdown", title: "Markdown", keywords: ["md", "raw"], insert: atom("markdownBlock", { markdown: "" }) },
    { id: "latex", title: "LaTeX equation", keywords: ["math", "katex", "equation", "formula"], hint: "$$", insert: atom("latexBlock", { latex: "" }) },
    { id: "inline-math", title: "Inline math", keywords: ["math", "katex", "inline"], hint: "$x$", insert: (c) => c.insertContent({ type: "inlineMath", attrs: { latex: "x" } }) },
    { id: "image", title: "Image", keywords: ["picture", "photo", "img"], insert: atom("reportImage", { url: "", caption: null, width: null }) },
    { id: "video", title: "Video", keywords: ["movie", "clip", "mp4"], insert: atom("reportVideo", { url: "", caption: null }) },
    { id: "divider", title: "Divider", keywords: ["horizontal rule", "hr", "line", "separator"], hint: "---", insert: (c) => c.setHorizontalRule() },
    { id: "toc", title: "Table of contents", keywords: ["toc", "outline", "contents"], insert: atom("tableOfContents") },
    {
      id: "panel-grid",
      title: "Panel grid",
      keywords: ["panels", "charts", "plots", "runs", "grid", "live"],
      insert: (c) => atom("panelGrid", { grid: newGrid(project) })(c),
    },
  ];
}

/**
 * The entries matching `query`: a title that starts with it first, then a title word or a keyword
 * that starts with it, then any that contain it; case and spaces do not matter.
 */
export function filterSlashItems<T extends Pick<SlashItem, "title" | "keywords">>(items: readonly T[], query: string): T[] {
  const q = query.trim().toLowerCase().replace(/\s+/g, " ");
  if (!q) return [...items];
  const rank = (it: T): number => {
    const title = it.title.toLowerCase();
    if (title.startsWith(q)) return 0;
    const words = [...title.split(/[\s:]+/), ...it.keywords.map((k) => k.toLowerCase())];
    if (words.some((w) => w.startsWith(q))) return 1;
    if (title.includes(q) || it.keywords.some((k) => k.toLowerCase().includes(q))) return 2;
    return 3;
  };
  return items
    .map((it, i) => ({ it, i, r: rank(it) }))
    .filter((x) => x.r < 3)
    .sort((a, b) => a.r - b.r || a.i - b.i)
    .map((x) => x.it);
}
