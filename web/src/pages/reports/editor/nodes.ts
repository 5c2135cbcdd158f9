// The report's own editor nodes (everything StarterKit does not have) and the attributes that keep
// a spec lossless: every top-level block carries its spec id (`blockId`), a list item its checkbox,
// an ordered list whether its start was written. Node views come in through `views`, so this module
// stays importable without a DOM (the unit tests build the schema from it).
import { Extension, InputRule, Node, mergeAttributes, textblockTypeInputRule, type NodeViewRenderer } from "@tiptap/core";
import { Plugin, PluginKey, type Transaction } from "@tiptap/pm/state";
import { newBlockId, TONES } from "../spec";

/** Node types that are top-level blocks of a spec and so carry a blockId. */
export const BLOCK_TYPES = [
  "heading",
  "paragraph",
  "bulletList",
  "orderedList",
  "blockquote",
  "codeBlock",
  "horizontalRule",
  "callout",
  "markdownBlock",
  "latexBlock",
  "reportImage",
  "reportVideo",
  "tableOfContents",
  "panelGrid",
];

export interface NodeViews {
  callout?: NodeViewRenderer;
  markdownBlock?: NodeViewRenderer;
  latexBlock?: NodeViewRenderer;
  reportImage?: NodeViewRenderer;
  reportVideo?: NodeViewRenderer;
  tableOfContents?: NodeViewRenderer;
  panelGrid?: NodeViewRenderer;
  inlineMath?: NodeViewRenderer;
}

const blockIdKey = new PluginKey("reportBlockIds");

/** Spec attributes on StarterKit's nodes, and new ids for top-level blocks without one (or with a copied one). */
export const SpecAttributes = Extension.create({
  name: "specAttributes",
  addGlobalAttributes() {
    return [
      {
        types: BLOCK_TYPES,
        attributes: {
          blockId: {
            default: null,
            keepOnSplit: false,
            parseHTML: (el) => el.getAttribute("data-block-id"),
            renderHTML: (a) => (a.blockId ? { "data-block-id": a.blockId } : {}),
          },
        },
      },
      {
        types: ["listItem"],
        attributes: {
          checked: { default: null, parseHTML: (el) => (el.hasAttribute("data-checked") ? el.getAttribute("data-checked") === "true" : null), renderHTML: (a) => (typeof a.checked === "boolean" ? { "data-checked": String(a.checked) } : {}) },
          hasChildren: { default: false, rendered: false },
        },
      },
      { types: ["orderedList"], attributes: { explicitStart: { default: false, rendered: false } } },
    ];
  },
  addProseMirrorPlugins() {
    return [
      new Plugin({
        key: blockIdKey,
        appendTransaction: (trs, _old, state) => {
          if (!trs.some((t) => t.docChanged)) return null;
          const seen = new Set<string>();
          let tr: Transaction | null = null;
          state.doc.forEach((node, offset) => {
            if (!("blockId" in node.attrs)) return;
            const id = node.attrs.blockId as string | null;
            if (id && !seen.has(id)) {
              seen.add(id);
              return;
            }
            const fresh = newBlockId();
            seen.add(fresh);
            tr = (tr ?? state.tr).setNodeAttribute(offset, "blockId", fresh);
          });
          return tr;
        },
      }),
    ];
  },
});

const atomBlock = (name: string, attrs: Record<string, { default: unknown }>, view: keyof NodeViews, views: NodeViews) =>
  Node.create({
    name,
    group: "block",
    atom: true,
    selectable: true,
    draggable: true,
    addAttributes: () => attrs,
    parseHTML: () => [{ tag: `div[data-node="${name}"]` }],
    renderHTML: ({ HTMLAttributes }) => ["div", mergeAttributes(HTMLAttributes, { "data-node": name })],
    addNodeView: views[view] ? () => views[view]! : undefined,
  });

/** $$ then a space on an empty line: a LaTeX block. */
const latexRule = (type: () => import("@tiptap/pm/model").NodeType) =>
  new InputRule({
    find: /^\$\$\s$/,
    handler: ({ state, range }) => {
      const $from = state.doc.resolve(range.from);
      state.tr.replaceRangeWith($from.before(), $from.after(), type().create({ latex: "", blockId: newBlockId() }));
    },
  });

export function reportNodes(views: NodeViews = {}) {
  const Callout = Node.create({
    name: "callout",
    group: "block",
    content: "inline*",
    defining: true,
    addAttributes: () => ({
      tone: { default: "note", parseHTML: (el) => el.getAttribute("data-tone") ?? "note", renderHTML: (a) => ({ "data-tone": a.tone }) },
    }),
    parseHTML: () => [{ tag: "div[data-callout]" }],
    renderHTML: ({ HTMLAttributes }) => ["div", mergeAttributes(HTMLAttributes, { "data-callout": "", class: "report-callout" }), 0],
    addNodeView: views.callout ? () => views.callout! : undefined,
    // "!! " starts a note callout; the tone is picked on the callout itself.
    addInputRules() {
      return [textblockTypeInputRule({ find: /^!!\s$/, type: this.type, getAttributes: { tone: TONES[0] } })];
    },
  });
  const LatexBlock = atomBlock("latexBlock", { latex: { default: "" } }, "latexBlock", views).extend({
    addInputRules() {
      return [latexRule(() => this.type)];
    },
  });
  const InlineMath = Node.create({
    name: "inlineMath",
    group: "inline",
    inline: true,
    atom: true,
    selectable: true,
    addAttributes: () => ({ latex: { default: "" } }),
    parseHTML: () => [{ tag: "span[data-math]", getAttrs: (el) => ({ latex: (el as HTMLElement).getAttribute("data-math") ?? "" }) }],
    renderHTML: ({ node }) => ["span", { "data-math": node.attrs.latex, class: "report-math" }, node.attrs.latex as string],
    renderText: ({ node }) => `$${node.attrs.latex as string}$`,
    addNodeView: views.inlineMath ? () => views.inlineMath! : undefined,
    // $x^2$: the text between the dollars becomes inline math as the closing dollar is typed.
    addInputRules() {
      return [
        new InputRule({
          find: /(?:^|\s)(\$([^$\s](?:[^$]*[^$\s])?)\$)$/,
          handler: ({ state, range, match }) => {
            const start = range.from + (match[0].length - match[1].length);
            state.tr.replaceWith(start, range.to, this.type.create({ latex: match[2] }));
          },
        }),
      ];
    },
  });
  return [
    Callout,
    InlineMath,
    LatexBlock,
    atomBlock("markdownBlock", { markdown: { default: "" } }, "markdownBlock", views),
    atomBlock("reportImage", { url: { default: "" }, caption: { default: null }, width: { default: null } }, "reportImage", views),
    atomBlock("reportVideo", { url: { default: "" }, caption: { default: null } }, "reportVideo", views),
    atomBlock("tableOfContents", {}, "tableOfContents", views),
    atomBlock("panelGrid", { grid: { default: { run_sets: [], panels: [] } } }, "panelGrid", views),
  ];
}
