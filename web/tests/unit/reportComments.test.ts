// Comments on a text range: the anchor a selection makes (in the editor, from its ProseMirror
// document; the view's DOM side is in the browser test), and finding the range again, by its
// offsets while the text there is unchanged, else by its quote.
import { describe, expect, it } from "vitest";
import { getSchema } from "@tiptap/core";
import { Node as PmNode } from "@tiptap/pm/model";
import { EditorState, TextSelection } from "@tiptap/pm/state";
import { locateRange, MAX_QUOTE, selectionAnchor } from "../../src/pages/reports/comments/anchor";
import { editorAnchor, leafText } from "../../src/pages/reports/comments/editorAnchor";
import { commentDecorations } from "../../src/pages/reports/comments/editorHighlights";
import type { Anchored } from "../../src/pages/reports/comments/useCommentHighlights";
import { schemaExtensions } from "../../src/pages/reports/editor/extensions";
import { specToDoc, type ReportSpec } from "../../src/pages/reports/spec";

describe("a selection's anchor", () => {
  it("keeps the block, the offsets and the quoted text, in order", () => {
    expect(selectionAnchor("p1", "Loss fell by 12%", 13, 16)).toEqual({ block_id: "p1", from: 13, to: 16, quote: "12%" });
    expect(selectionAnchor("p1", "Loss fell by 12%", 16, 13)).toEqual({ block_id: "p1", from: 13, to: 16, quote: "12%" });
  });
  it("is null for whitespace only, and cut to the longest quote the server keeps", () => {
    expect(selectionAnchor("p1", "a   b", 1, 4)).toBeNull();
    const long = "x".repeat(MAX_QUOTE + 500);
    const a = selectionAnchor("p1", long, 0, long.length)!;
    expect(a.quote!.length).toBe(MAX_QUOTE);
    expect(a.to).toBe(MAX_QUOTE);
  });
});

describe("finding a comment's range again", () => {
  it("uses the offsets while the text there is still the quote", () => {
    expect(locateRange("Loss fell by 12%", { from: 13, to: 16, quote: "12%" })).toEqual([13, 16]);
  });
  it("finds the quote nearest its old place once the block was edited", () => {
    const text = "12% first. Now loss fell by 12% after warmup, and 12% again";
    expect(locateRange(text, { from: 25, to: 28, quote: "12%" })).toEqual([28, 31]);
    expect(locateRange(text, { from: 0, to: 3, quote: "12%" })).toEqual([0, 3]);
  });
  it("is null when the quote is gone or the anchor has no range", () => {
    expect(locateRange("Loss rose", { from: 0, to: 4, quote: "fell" })).toBeNull();
    expect(locateRange("Loss rose", {})).toBeNull();
    expect(locateRange("Loss rose", { from: 0, to: 99 })).toBeNull();
  });
});

// A heading and a paragraph with a mention and a bold word, as the editor holds them.
const editorDoc = (): PmNode => {
  const spec: ReportSpec = {
    version: 1,
    blocks: [
      { id: "h1", type: "heading", level: 1, text: [{ text: "Results" }] },
      { id: "p1", type: "paragraph", text: [{ text: "Ask " }, { text: "@ana", mention: "ana" }, { text: " why loss " }, { text: "fell", marks: ["bold"] }, { text: " by 12%" }] },
    ],
  };
  return PmNode.fromJSON(getSchema(schemaExtensions()), specToDoc(spec));
};
// The paragraph's text as the view shows it: a mention is its label.
const viewText = "Ask @ana why loss fell by 12%";

describe("the editor's anchor", () => {
  const doc = editorDoc();
  const state = (from: number, to: number) => EditorState.create({ doc, selection: TextSelection.create(doc, from, to) });
  const posOf = (needle: string) => {
    let at = -1;
    doc.descendants((n, pos) => {
      if (at < 0 && n.isText && n.text!.includes(needle)) at = pos + n.text!.indexOf(needle);
    });
    return at;
  };

  it("anchors a selection inside one block to its text offsets, as the view counts them", () => {
    const from = posOf("fell");
    const a = editorAnchor(state(from, posOf("12%") + 3))!;
    expect(a).toEqual({ block_id: "p1", from: viewText.indexOf("fell"), to: viewText.length, quote: "fell by 12%" });
    expect(locateRange(viewText, a)).toEqual([viewText.indexOf("fell"), viewText.length]);
  });
  it("anchors a caret, or a selection across blocks, to the block alone", () => {
    expect(editorAnchor(state(posOf("why"), posOf("why")))).toEqual({ block_id: "p1" });
    expect(editorAnchor(state(posOf("Results"), posOf("12%")))).toEqual({ block_id: "h1" });
  });
});

describe("the editor's comment highlights", () => {
  const doc = editorDoc();
  const marked = (d: PmNode, threads: Anchored[], active: string | null = null) =>
    commentDecorations(d, threads, active)
      .find()
      .map((deco) => [d.textBetween(deco.from, deco.to, "", leafText), deco.spec.thread as string, deco.spec.active as boolean]);

  it("marks each range's text, across marks and after a mention, the active thread stronger", () => {
    const fell = { block_id: "p1", from: viewText.indexOf("fell"), to: viewText.length, quote: "fell by 12%" };
    const ana = { block_id: "p1", from: 0, to: 8, quote: "Ask @ana" };
    expect(marked(doc, [{ id: "t1", anchor: fell }, { id: "t2", anchor: ana }], "t2")).toEqual([
      ["Ask @ana", "t2", true],
      ["fell by 12%", "t1", false],
    ]);
  });
  it("follows the quote once the block was edited, and marks nothing for a block anchor or a lost quote", () => {
    const p1Start = doc.child(0).nodeSize + 1;
    const edited = EditorState.create({ doc }).tr.insertText("Now ", p1Start).doc;
    const anchor = { block_id: "p1", from: viewText.indexOf("fell"), to: viewText.indexOf("fell") + 4, quote: "fell" };
    expect(marked(edited, [{ id: "t1", anchor }])).toEqual([["fell", "t1", false]]);
    expect(marked(doc, [{ id: "t2", anchor: { block_id: "p1" } }, { id: "t3", anchor: { block_id: "p1", from: 0, to: 4, quote: "rose" } }])).toEqual([]);
  });
});
