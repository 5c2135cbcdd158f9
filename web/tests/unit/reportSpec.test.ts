// The report spec <-> TipTap document conversion (pages/reports/spec.ts): every block type comes
// back identical, and the document it makes is valid for the editor's real schema.
import { describe, expect, it } from "vitest";
import { getSchema } from "@tiptap/core";
import { Node as PmNode } from "@tiptap/pm/model";
import { blockToNode, docToSpec, nodeToBlock, specToDoc, type Block, type ReportSpec } from "../../src/pages/reports/spec";
import { schemaExtensions } from "../../src/pages/reports/editor/extensions";

const text = (t: string) => [{ text: t }];

const EVERY_BLOCK: Block[] = [
  { id: "h1", type: "heading", level: 1, text: [{ text: "Results " }, { text: "v2", marks: ["bold", "italic"] }] },
  { id: "h3", type: "heading", level: 3, text: text("Small") },
  {
    id: "p1",
    type: "paragraph",
    text: [
      { text: "See " },
      { text: "the paper", link: "https://arxiv.org/abs/1" },
      { text: ", ask " },
      { text: "@ana", mention: "ana" },
      { text: " about " },
      { text: "e^{i\\pi}+1=0", math: true },
      { text: " and " },
      { text: "code", marks: ["code"] },
      { text: "\nsecond line " },
      { text: "gone", marks: ["strike", "underline"] },
    ],
  },
  { id: "p-empty", type: "paragraph", text: [] },
  {
    id: "ul",
    type: "bulleted_list",
    items: [
      { text: text("one"), children: [{ text: text("one.a") }, { text: text("one.b"), checked: true }] },
      { text: text("two"), checked: false },
      { text: [], children: [] },
    ],
  },
  { id: "ol", type: "numbered_list", items: [{ text: text("first") }, { text: text("second") }] },
  { id: "ol3", type: "numbered_list", start: 3, items: [{ text: text("third") }] },
  { id: "ol1", type: "numbered_list", start: 1, items: [{ text: text("explicit one") }] },
  { id: "q", type: "quote", text: [{ text: "To be\nor not", marks: ["italic"] }] },
  { id: "c", type: "callout", tone: "warning", text: text("Careful") },
  { id: "code", type: "code", language: "python", code: "def f(x):\n    return x * 2\n" },
  { id: "code-plain", type: "code", code: "" },
  { id: "md", type: "markdown", markdown: "| a | b |\n|---|---|\n| 1 | 2 |\n\n<script>alert(1)</script>" },
  { id: "tex", type: "latex", latex: "\\int_0^1 x^2\\,dx = \\frac13" },
  { id: "img", type: "image", url: "https://example.com/a.png", caption: "A chart", width: 480 },
  { id: "img2", type: "image", url: "/api/media/x.png" },
  { id: "vid", type: "video", url: "https://example.com/a.mp4", caption: "Rollout" },
  { id: "hr", type: "horizontal_rule" },
  { id: "toc", type: "table_of_contents" },
  {
    id: "grid",
    type: "panel_grid",
    run_sets: [
      {
        id: "rs1",
        name: "Baselines",
        project: "acme/vision",
        filters: { state: "finished", "config.lr": { $gt: 0.001 } },
        grouping: ["config.optimizer"],
        sort: [{ key: "summary.loss", order: "asc" }],
        selection: { mode: "selected", run_ids: ["r1", "r2"] },
        limit: 20,
      },
    ],
    panels: [
      { id: "pl", type: "line", title: "loss", layout: { x: 0, y: 0, w: 12, h: 8 }, config: { metric: "train/loss", smoothing: 0.6 } },
      { id: "pm", type: "markdown", layout: { x: 12, y: 0, w: 12, h: 8 }, config: { markdown: "**note**" } },
    ],
  },
];

const spec: ReportSpec = { version: 1, title: "T", description: "D", width: "full", blocks: EVERY_BLOCK };
const schema = getSchema(schemaExtensions());

describe("report spec <-> editor document", () => {
  it.each(EVERY_BLOCK.map((b) => [b.type, b.id, b] as const))("a %s block (%s) round-trips unchanged", (_type, _id, block) => {
    expect(nodeToBlock(blockToNode(block))).toEqual(block);
  });

  it("a whole report round-trips, title, description and width kept", () => {
    const { blocks: _blocks, ...base } = spec;
    void _blocks;
    expect(docToSpec(specToDoc(spec), base)).toEqual(spec);
  });

  it("the document it makes is valid for the editor's schema, and survives the schema's own JSON", () => {
    const node = PmNode.fromJSON(schema, specToDoc(spec));
    node.check();
    expect(docToSpec(node.toJSON(), { version: 1, title: "T", description: "D", width: "full" })).toEqual(spec);
  });

  it("an empty report is one empty paragraph in the editor and no blocks back", () => {
    const doc = specToDoc({ version: 1, blocks: [] });
    expect(doc.content).toHaveLength(1);
    expect(docToSpec(doc).blocks).toEqual([]);
  });

  it("merges adjacent runs with the same marks and gives a copied id a new one", () => {
    const doc = {
      type: "doc",
      content: [
        { type: "paragraph", attrs: { blockId: "same" }, content: [{ type: "text", text: "a" }, { type: "hardBreak" }, { type: "text", text: "b" }] },
        { type: "paragraph", attrs: { blockId: "same" }, content: [{ type: "text", text: "c", marks: [{ type: "italic" }, { type: "bold" }] }] },
      ],
    };
    const out = docToSpec(doc);
    expect(out.blocks[0]).toEqual({ id: "same", type: "paragraph", text: [{ text: "a\nb" }] });
    expect(out.blocks[1].id).not.toBe("same");
    expect(out.blocks[1].id).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    expect(out.blocks[1]).toMatchObject({ text: [{ text: "c", marks: ["bold", "italic"] }] });
  });
});
