// The editor's "/" menu (pages/reports/editor/slashItems.ts): every spec block can be inserted, and
// typing narrows the list, best match first.
import { describe, expect, it } from "vitest";
import { filterSlashItems, slashItems } from "../../src/pages/reports/editor/slashItems";

const items = slashItems("acme/vision");
const ids = (q: string) => filterSlashItems(items, q).map((i) => i.id);

describe("slash menu", () => {
  it("offers every block type of the spec", () => {
    const all = ids("");
    for (const id of ["paragraph", "heading-1", "heading-2", "heading-3", "bulleted-list", "numbered-list", "quote", "callout-note", "code", "markdown", "latex", "image", "video", "divider", "toc", "panel-grid"])
      expect(all).toContain(id);
  });

  it("puts titles that start with the query first", () => {
    expect(ids("code")[0]).toBe("code");
    expect(ids("head")).toEqual(["heading-1", "heading-2", "heading-3"]);
    expect(ids("Heading 2")).toEqual(["heading-2"]);
  });

  it("finds entries by keyword and ignores case", () => {
    expect(ids("HR")).toContain("divider");
    expect(ids("katex")).toEqual(["latex", "inline-math"]);
    expect(ids("charts")).toEqual(["panel-grid"]);
    expect(ids("warn")).toEqual(["callout-warning"]);
  });

  it("matches inside words after prefixes, and nothing for nonsense", () => {
    expect(ids("list")).toEqual(["bulleted-list", "numbered-list"]);
    expect(ids("zzzq")).toEqual([]);
  });
});
