// The report spec (schemas/report.schema.json) as TypeScript, and its conversion to and from the
// editor's TipTap (ProseMirror) document. Both directions are pure JSON shaping, lossless for every
// block type: a block's id rides on the node (`blockId`), fields a node cannot show (a list's
// explicit start, an item's checkbox) ride on attributes, and a panel grid is one atom node holding
// its JSON. Text is normalised on the way back (adjacent runs with the same marks merge, marks in
// schema order), so a spec in that form comes back identical.

export type Mark = "bold" | "italic" | "strike" | "underline" | "code";
/** The order marks are written in: the order ProseMirror keeps them in. */
export const MARKS: readonly Mark[] = ["bold", "italic", "strike", "underline", "code"];

export interface InlineRun {
  text: string;
  marks?: Mark[];
  link?: string;
  mention?: string;
  math?: boolean;
}
export type Text = InlineRun[];

export interface ListItem {
  text: Text;
  children?: ListItem[];
  checked?: boolean;
}

export interface Layout {
  x: number;
  y: number;
  w: number;
  h: number;
}

export type PanelType =
  | "line"
  | "scatter"
  | "bar"
  | "custom_chart"
  | "media"
  | "table"
  | "parallel_coordinates"
  | "run_comparison"
  | "side_by_side"
  | "markdown";

export interface Panel {
  id: string;
  type: PanelType;
  title?: string;
  layout: Layout;
  config?: Record<string, unknown>;
}

export interface RunSet {
  id: string;
  name?: string;
  /** a project id, or entity/project */
  project: string;
  filters?: Record<string, unknown>;
  grouping?: string[];
  sort?: { key: string; order?: "asc" | "desc" }[];
  selection?: { mode?: "all" | "selected"; run_ids?: string[] };
  limit?: number;
}

export type Tone = "note" | "tip" | "important" | "warning" | "caution";
export const TONES: readonly Tone[] = ["note", "tip", "important", "warning", "caution"];

export type Block =
  | { id: string; type: "heading"; level: 1 | 2 | 3; text: Text }
  | { id: string; type: "paragraph"; text: Text }
  | { id: string; type: "bulleted_list"; items: ListItem[] }
  | { id: string; type: "numbered_list"; start?: number; items: ListItem[] }
  | { id: string; type: "quote"; text: Text }
  | { id: string; type: "callout"; tone: Tone; text: Text }
  | { id: string; type: "code"; language?: string; code: string }
  | { id: string; type: "markdown"; markdown: string }
  | { id: string; type: "latex"; latex: string }
  | { id: string; type: "image"; url: string; caption?: string; width?: number }
  | { id: string; type: "video"; url: string; caption?: string }
  | { id: string; type: "horizontal_rule" }
  | { id: string; type: "table_of_contents" }
  | PanelGridBlock;

export interface PanelGridBlock {
  id: string;
  type: "panel_grid";
  run_sets: RunSet[];
  panels: Panel[];
}

export type BlockType = Block["type"];
export type BlockOf<T extends BlockType> = Extract<Block, { type: T }>;

export interface ReportSpec {
  version: 1;
  title?: string;
  description?: string;
  width?: "readable" | "fixed" | "full";
  blocks: Block[];
}

/** The grid's columns: a panel's layout is in these units (the schema's 24). */
export const REPORT_GRID_COLS = 24;

// ---- ProseMirror JSON --------------------------------------------------------------------------

export interface PmMark {
  type: string;
  attrs?: Record<string, unknown>;
}
export interface PmNode {
  type: string;
  attrs?: Record<string, unknown>;
  content?: PmNode[];
  marks?: PmMark[];
  text?: string;
}

/** A block id as the schema allows: 12 random url-safe characters. */
export function newBlockId(): string {
  const abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => abc[b % abc.length]).join("");
}

export const emptySpec = (title = ""): ReportSpec => ({ version: 1, title, blocks: [] });

// ---- spec -> document --------------------------------------------------------------------------

function runToNodes(run: InlineRun): PmNode[] {
  const marks: PmMark[] = MARKS.filter((m) => run.marks?.includes(m)).map((type) => ({ type }));
  if (run.link !== undefined) marks.push({ type: "link", attrs: { href: run.link } });
  const withMarks = (n: PmNode): PmNode => (marks.length ? { ...n, marks } : n);
  if (run.mention !== undefined) return [withMarks({ type: "mention", attrs: { id: run.mention, label: run.text } })];
  if (run.math) return [withMarks({ type: "inlineMath", attrs: { latex: run.text } })];
  // A line break inside a run is a hard break node; an empty run has no node at all.
  const out: PmNode[] = [];
  run.text.split("\n").forEach((part, i) => {
    if (i > 0) out.push(withMarks({ type: "hardBreak" }));
    if (part) out.push(withMarks({ type: "text", text: part }));
  });
  return out;
}

export function textToNodes(text: Text): PmNode[] {
  return text.flatMap(runToNodes);
}

const withContent = (node: PmNode, content: PmNode[]): PmNode => (content.length ? { ...node, content } : node);

function listToNode(type: "bulletList" | "orderedList", items: ListItem[], attrs: Record<string, unknown>): PmNode {
  return {
    type,
    attrs,
    content: items.map((item) => {
      const content = [withContent({ type: "paragraph" }, textToNodes(item.text))];
      if (item.children?.length) content.push(listToNode(type, item.children, type === "orderedList" ? { start: 1, explicitStart: false } : {}));
      return { type: "listItem", attrs: { checked: item.checked ?? null, hasChildren: item.children !== undefined }, content };
    }),
  };
}

export function blockToNode(b: Block): PmNode {
  const blockId = b.id;
  switch (b.type) {
    case "heading":
      return withContent({ type: "heading", attrs: { blockId, level: b.level } }, textToNodes(b.text));
    case "paragraph":
      return withContent({ type: "paragraph", attrs: { blockId } }, textToNodes(b.text));
    case "bulleted_list":
      return listToNode("bulletList", b.items, { blockId });
    case "numbered_list":
      return listToNode("orderedList", b.items, { blockId, start: b.start ?? 1, explicitStart: b.start !== undefined });
    case "quote":
      return { type: "blockquote", attrs: { blockId }, content: [withContent({ type: "paragraph" }, textToNodes(b.text))] };
    case "callout":
      return withContent({ type: "callout", attrs: { blockId, tone: b.tone } }, textToNodes(b.text));
    case "code":
      return withContent({ type: "codeBlock", attrs: { blockId, language: b.language ?? null } }, b.code ? [{ type: "text", text: b.code }] : []);
    case "markdown":
      return { type: "markdownBlock", attrs: { blockId, markdown: b.markdown } };
    case "latex":
      return { type: "latexBlock", attrs: { blockId, latex: b.latex } };
    case "image":
      return { type: "reportImage", attrs: { blockId, url: b.url, caption: b.caption ?? null, width: b.width ?? null } };
    case "video":
      return { type: "reportVideo", attrs: { blockId, url: b.url, caption: b.caption ?? null } };
    case "horizontal_rule":
      return { type: "horizontalRule", attrs: { blockId } };
    case "table_of_contents":
      return { type: "tableOfContents", attrs: { blockId } };
    case "panel_grid":
      return { type: "panelGrid", attrs: { blockId, grid: { run_sets: b.run_sets, panels: b.panels } } };
  }
}

/** The editor document of `spec`'s blocks (an empty report is one empty paragraph, as the editor wants). */
export function specToDoc(spec: ReportSpec): PmNode {
  const content = spec.blocks.map(blockToNode);
  return { type: "doc", content: content.length ? content : [{ type: "paragraph", attrs: { blockId: null } }] };
}

// ---- document -> spec --------------------------------------------------------------------------

const sameRunShape = (a: InlineRun, b: InlineRun) =>
  !a.mention && !b.mention && !a.math && !b.math && a.link === b.link && (a.marks ?? []).join() === (b.marks ?? []).join();

function nodeToRun(n: PmNode): InlineRun | null {
  const run: InlineRun = { text: "" };
  const marks = MARKS.filter((m) => n.marks?.some((k) => k.type === m));
  if (marks.length) run.marks = marks;
  const link = n.marks?.find((k) => k.type === "link");
  if (link) run.link = String(link.attrs?.href ?? "");
  switch (n.type) {
    case "text":
      run.text = n.text ?? "";
      break;
    case "hardBreak":
      run.text = "\n";
      break;
    case "mention":
      run.text = String(n.attrs?.label ?? `@${n.attrs?.id ?? ""}`);
      run.mention = String(n.attrs?.id ?? "");
      break;
    case "inlineMath":
      run.text = String(n.attrs?.latex ?? "");
      run.math = true;
      break;
    default:
      return null;
  }
  // Key order as the schema lists them, so a stored spec and a converted one compare equal.
  return { text: run.text, ...(run.marks && { marks: run.marks }), ...(run.link !== undefined && { link: run.link }), ...(run.mention !== undefined && { mention: run.mention }), ...(run.math && { math: true }) };
}

export function nodesToText(nodes: PmNode[] | undefined): Text {
  const out: Text = [];
  for (const n of nodes ?? []) {
    const run = nodeToRun(n);
    if (!run) continue;
    const last = out[out.length - 1];
    if (last && sameRunShape(last, run)) last.text += run.text;
    else out.push(run);
  }
  return out;
}

/** Inline content of a block that may wrap it in paragraphs (a quote): paragraphs join with a line break. */
function paragraphsText(node: PmNode): Text {
  const paras = (node.content ?? []).filter((c) => c.type === "paragraph");
  return nodesToText(paras.flatMap((p, i) => [...(i > 0 ? [{ type: "hardBreak" } as PmNode] : []), ...(p.content ?? [])]));
}

function nodeToItems(list: PmNode): ListItem[] {
  return (list.content ?? []).map((li) => {
    const para = li.content?.find((c) => c.type === "paragraph");
    const nested = li.content?.filter((c) => c.type === "bulletList" || c.type === "orderedList") ?? [];
    const item: ListItem = { text: nodesToText(para?.content) };
    const children = nested.flatMap(nodeToItems);
    if (children.length || li.attrs?.hasChildren) item.children = children;
    if (typeof li.attrs?.checked === "boolean") item.checked = li.attrs.checked;
    return item;
  });
}

const str = (v: unknown): string => (typeof v === "string" ? v : "");

/** The spec block of one top-level node; `id` is its blockId, or a new one when it has none yet. */
export function nodeToBlock(n: PmNode): Block | null {
  const id = str(n.attrs?.blockId) || newBlockId();
  switch (n.type) {
    case "heading":
      return { id, type: "heading", level: Math.min(3, Math.max(1, Number(n.attrs?.level ?? 1))) as 1 | 2 | 3, text: nodesToText(n.content) };
    case "paragraph":
      return { id, type: "paragraph", text: nodesToText(n.content) };
    case "bulletList":
      return { id, type: "bulleted_list", items: nodeToItems(n) };
    case "orderedList": {
      const start = Number(n.attrs?.start ?? 1);
      return { id, type: "numbered_list", ...((n.attrs?.explicitStart || start !== 1) && { start }), items: nodeToItems(n) };
    }
    case "blockquote":
      return { id, type: "quote", text: paragraphsText(n) };
    case "callout":
      return { id, type: "callout", tone: (TONES as readonly string[]).includes(str(n.attrs?.tone)) ? (n.attrs!.tone as Tone) : "note", text: nodesToText(n.content) };
    case "codeBlock": {
      const language = n.attrs?.language;
      return { id, type: "code", ...(typeof language === "string" && { language }), code: (n.content ?? []).map((c) => c.text ?? "").join("") };
    }
    case "markdownBlock":
      return { id, type: "markdown", markdown: str(n.attrs?.markdown) };
    case "latexBlock":
      return { id, type: "latex", latex: str(n.attrs?.latex) };
    case "reportImage": {
      const { caption, width } = n.attrs ?? {};
      return { id, type: "image", url: str(n.attrs?.url), ...(typeof caption === "string" && { caption }), ...(typeof width === "number" && { width }) };
    }
    case "reportVideo": {
      const caption = n.attrs?.caption;
      return { id, type: "video", url: str(n.attrs?.url), ...(typeof caption === "string" && { caption }) };
    }
    case "horizontalRule":
      return { id, type: "horizontal_rule" };
    case "tableOfContents":
      return { id, type: "table_of_contents" };
    case "panelGrid": {
      const grid = (n.attrs?.grid ?? {}) as Partial<PanelGridBlock>;
      return { id, type: "panel_grid", run_sets: grid.run_sets ?? [], panels: grid.panels ?? [] };
    }
    default:
      return null;
  }
}

/** The spec of `doc`, keeping `base`'s title, description and width. A lone empty paragraph is an empty report. */
export function docToSpec(doc: PmNode, base: Omit<ReportSpec, "blocks"> = { version: 1 }): ReportSpec {
  const nodes = doc.content ?? [];
  const empty = nodes.length === 1 && nodes[0].type === "paragraph" && !nodes[0].content?.length && !nodes[0].attrs?.blockId;
  const blocks = empty ? [] : nodes.map(nodeToBlock).filter((b): b is Block => b !== null);
  // Ids stay unique (the schema's rule): a split paragraph copies its id, the later copy gets a new one.
  const seen = new Set<string>();
  for (const b of blocks) {
    if (seen.has(b.id)) b.id = newBlockId();
    seen.add(b.id);
  }
  return { ...base, version: 1, blocks };
}

/** Plain text of a run list (headings in the table of contents, diff quotes). */
export const plainText = (text: Text): string => text.map((r) => r.text).join("");
