import { describe, expect, it } from "vitest";
import { diffCounts, groupDiff, sizeDelta } from "../../src/shaping/artifactDiff";
import { parseCsvHead } from "../../src/shaping/csvHead";
import { ancestors, childRuns, emptyListing, listMore, treeRows, type FetchEntries, type Listing } from "../../src/shaping/fileTree";
import { lineageLayoutInput, parseArtifactNode, runOfNode, shortLabel, MAX_LABEL } from "../../src/shaping/lineage";
import { formatCell, looksBinary, previewKind } from "../../src/shaping/preview";
import { layoutLineage } from "../../src/pages/artifacts/lineageLayout";

type E = { path: string; size: number };

/** The files route over an in-memory manifest: entries under a prefix in path order, paged; counts requests. */
function fakeManifest(paths: string[]) {
  const sorted = [...paths].sort();
  const calls: { prefix: string; offset: number; limit: number }[] = [];
  const fetchEntries: FetchEntries<E> = async (prefix, offset, limit) => {
    calls.push({ prefix, offset, limit });
    const under = sorted.filter((p) => p.startsWith(prefix));
    return { entries: under.slice(offset, offset + limit).map((path) => ({ path, size: path.length })), total: under.length };
  };
  return { fetchEntries, calls };
}

async function listAll(fetchEntries: FetchEntries<E>, prefix: string): Promise<Listing<E>> {
  let listing = emptyListing<E>();
  while (listing.next !== null) listing = await listMore(fetchEntries, prefix, listing);
  return listing;
}

const names = (l: Listing<E>) => l.children.map((c) => (c.kind === "folder" ? `${c.name}/ (${c.count})` : c.name));

describe("file tree from paged paths", () => {
  it("groups a page into folders and files by the segment after the prefix", () => {
    const runs = childRuns("data/", ["data/a.txt", "data/img/1.png", "data/img/2.png", "data/img2/x", "data/z.csv"]);
    expect(runs).toEqual([
      { name: "a.txt", folder: false, start: 0, length: 1 },
      { name: "img", folder: true, start: 1, length: 2 },
      { name: "img2", folder: true, start: 3, length: 1 },
      { name: "z.csv", folder: false, start: 4, length: 1 },
    ]);
  });

  it("lists a small folder's children in one request", async () => {
    const m = fakeManifest(["README.md", "data/train.csv", "data/test.csv", "images/a.png", "images/sub/b.png", "model.pt"]);
    const root = await listAll(m.fetchEntries, "");
    expect(names(root)).toEqual(["README.md", "data/ (2)", "images/ (2)", "model.pt"]);
    expect(m.calls).toHaveLength(1);
    const images = await listAll(m.fetchEntries, "images/");
    expect(names(images)).toEqual(["a.png", "sub/ (1)"]);
  });

  it("skips a folder larger than a page with one count request, never reading its pages", async () => {
    const big = Array.from({ length: 20_000 }, (_, i) => `images/class-${String(i % 20).padStart(2, "0")}/img-${String(i).padStart(5, "0")}.png`);
    const m = fakeManifest([...big, "labels.csv", "a.txt"]);
    const root = await listAll(m.fetchEntries, "");
    expect(names(root)).toEqual(["a.txt", "images/ (20000)", "labels.csv"]);
    // a page, the count of images/, then the rest after it
    expect(m.calls.map((c) => [c.prefix, c.offset])).toEqual([
      ["", 0],
      ["images/", 0],
      ["", 20_001],
    ]);
    m.calls.length = 0;
    const images = await listAll(m.fetchEntries, "images/");
    expect(images.children).toHaveLength(20);
    expect(images.children.every((c) => c.kind === "folder" && c.count === 1000)).toBe(true);
    // A page and a count for the first two folders; then each guess (1,000, like the last sibling)
    // is checked by the one page that also lists the next folder: 22 requests, never 20 pages of 1,000.
    expect(m.calls.length).toBe(22);
    expect(m.calls.every((c) => c.limit <= 1000)).toBe(true);
  });

  it("lists the same children whatever the guesses: right, too small, too large or past the end", async () => {
    const sizes = [1500, 1200, 1200, 3000, 5, 2500, 2500, 1, 1200];
    const paths = sizes.flatMap((n, k) => [
      ...Array.from({ length: n }, (_, i) => `d${k}/f${String(i).padStart(5, "0")}`),
      ...(k % 3 === 0 ? [`d${k}.txt`] : []),
    ]);
    const m = fakeManifest(paths);
    const listing = await listAll(m.fetchEntries, "");
    const expected = [...new Set(paths.map((p) => (p.includes("/") ? `${p.split("/")[0]}/` : p)))].sort();
    expect(listing.children.map((c) => (c.kind === "folder" ? c.path : c.path))).toEqual(expected);
    for (const c of listing.children) if (c.kind === "folder") expect(c.count).toBe(sizes[Number(c.name.slice(1))]);
  });

  it("pages a flat folder of files a page at a time", async () => {
    const m = fakeManifest(Array.from({ length: 2500 }, (_, i) => `f/${String(i).padStart(4, "0")}.txt`));
    let l = emptyListing<E>();
    l = await listMore(m.fetchEntries, "f/", l);
    expect(l.children).toHaveLength(1000);
    expect(l.next).toBe(1000);
    expect(l.total).toBe(2500);
    l = await listAll(m.fetchEntries, "f/");
    expect(l.children).toHaveLength(2500);
    expect(l.children[2499].path).toBe("f/2499.txt");
  });

  it("keeps a file and a folder of the same name apart", async () => {
    const m = fakeManifest(["a", "a/b", "a/c", "a.txt"]);
    expect(names(await listAll(m.fetchEntries, ""))).toEqual(["a", "a.txt", "a/ (2)"]);
  });

  it("flattens open folders into rows, with a `more` row where children remain", async () => {
    const m = fakeManifest(["d/x.txt", "d/y.txt", "e.txt"]);
    const listings = new Map<string, Listing<E>>([["", await listAll(m.fetchEntries, "")]]);
    expect(treeRows(listings, new Set()).map((r) => r.kind)).toEqual(["folder", "file"]);
    const open = new Set(["d/"]);
    // opened but not read yet: a `more` row under it asks for its children when it is drawn
    expect(treeRows(listings, open).map((r) => `${r.kind}@${r.depth}`)).toEqual(["folder@0", "more@1", "file@0"]);
    listings.set("d/", await listAll(m.fetchEntries, "d/"));
    expect(treeRows(listings, open).map((r) => (r.kind === "file" ? r.file.path : r.kind))).toEqual(["folder", "d/x.txt", "d/y.txt", "e.txt"]);
  });

  it("opens the folders down to a deep-linked file", () => {
    expect(ancestors("a/b/c.txt")).toEqual(["a/", "a/b/"]);
    expect(ancestors("top.txt")).toEqual([]);
  });
});

describe("version diff", () => {
  const entries = [
    { path: "a.txt", change: "changed", old_size: 10, new_size: 14 },
    { path: "b.bin", change: "removed", old_size: 100, new_size: null },
    { path: "c.png", change: "added", old_size: null, new_size: 50 },
    { path: "d.png", change: "added", old_size: null, new_size: 25 },
  ];

  it("groups entries by kind in a fixed order, with the bytes each kind adds", () => {
    const groups = groupDiff(entries);
    expect(groups.map((g) => [g.change, g.entries.map((e) => e.path), g.bytes])).toEqual([
      ["added", ["c.png", "d.png"], 75],
      ["removed", ["b.bin"], -100],
      ["changed", ["a.txt"], 4],
    ]);
  });

  it("leaves out empty kinds and unknown ones", () => {
    expect(groupDiff([{ path: "x", change: "renamed" }])).toEqual([]);
    expect(groupDiff([entries[0]]).map((g) => g.change)).toEqual(["changed"]);
  });

  it("reads the counts as a sentence", () => {
    expect(diffCounts({ added: 2, removed: 0, changed: 1 })).toBe("2 added, 1 changed");
    expect(diffCounts({ added: 0, removed: 0, changed: 0 })).toBe("no differences");
    expect(sizeDelta({ path: "x", change: "removed", old_size: 7 })).toBe(-7);
  });
});

describe("lineage graph", () => {
  const graph = {
    nodes: [
      { id: "p1:dataset:v1", kind: "artifact", label: "dataset:v1" },
      { id: "run:producer", kind: "run", label: "producer" },
      { id: "run:consumer", kind: "run", label: "consumer" },
      { id: "p1:model:v0", kind: "artifact", label: "model:v0" },
    ],
    edges: [
      { source: "run:producer", target: "p1:dataset:v1" },
      { source: "p1:dataset:v1", target: "run:consumer" },
      { source: "run:consumer", target: "p1:model:v0" },
      { source: "run:consumer", target: "p1:model:v0" }, // a duplicate
      { source: "run:ghost", target: "p1:dataset:v1" }, // a node the graph left out
    ],
  };

  it("parses node ids into links' parts", () => {
    expect(parseArtifactNode("p1:dataset:v12")).toEqual({ projectId: "p1", name: "dataset", version: "v12" });
    expect(parseArtifactNode("run:abc")).toBeNull();
    expect(runOfNode("run:abc")).toBe("abc");
  });

  it("sizes nodes from their labels and keeps only edges between known nodes, once", () => {
    const input = lineageLayoutInput(graph, "p1:dataset:v1");
    expect(input.nodes.find((n) => n.current)?.id).toBe("p1:dataset:v1");
    expect(input.nodes.find((n) => n.id === "run:producer")?.kind).toBe("run");
    expect(input.edges).toHaveLength(3);
    const [short, long] = [input.nodes[1], lineageLayoutInput({ nodes: [{ id: "x", kind: "run", label: "r".repeat(100) }], edges: [] }, "").nodes[0]];
    expect(long.width).toBeGreaterThan(short.width);
    expect(long.label).toHaveLength(MAX_LABEL);
    expect(shortLabel("abc")).toBe("abc");
  });

  it("lays the DAG out left to right: producer, version, consumer, model", () => {
    const placed = layoutLineage(lineageLayoutInput(graph, "p1:dataset:v1"));
    const x = Object.fromEntries(placed.nodes.map((n) => [n.id, n.x]));
    expect(x["run:producer"]).toBeLessThan(x["p1:dataset:v1"]);
    expect(x["p1:dataset:v1"]).toBeLessThan(x["run:consumer"]);
    expect(x["run:consumer"]).toBeLessThan(x["p1:model:v0"]);
    expect(placed.edges.every((e) => e.points.length >= 2)).toBe(true);
    expect(placed.width).toBeGreaterThan(0);
  });
});

describe("file previews", () => {
  it("parses the head of a CSV, quoted fields and all, dropping a cut last line", () => {
    const text = 'id,name,note\r\n1,"Smith, J","said ""hi"""\n2,b,"two\nlines"\n3,c,cut-of';
    const head = parseCsvHead(text, { maxRows: 10, truncated: true });
    expect(head.header).toEqual(["id", "name", "note"]);
    expect(head.rows).toEqual([
      ["1", "Smith, J", 'said "hi"'],
      ["2", "b", "two\nlines"],
    ]);
    expect(head.more).toBe(true);
  });

  it("keeps the last line of a whole file and stops at maxRows", () => {
    expect(parseCsvHead("\ufeffa\tb\n1\t2", { maxRows: 5, truncated: false, delimiter: "\t" })).toEqual({ header: ["a", "b"], rows: [["1", "2"]], more: false });
    const many = ["h", ...Array.from({ length: 100 }, (_, i) => String(i))].join("\n");
    const head = parseCsvHead(many, { maxRows: 3, truncated: false });
    expect(head.rows).toEqual([["0"], ["1"], ["2"]]);
    expect(head.more).toBe(true);
  });

  it("picks a preview by extension", () => {
    expect(previewKind("imgs/a.PNG")).toBe("image");
    expect(previewKind("x.svg")).toBe("svg");
    expect(previewKind("t/table.parquet")).toBe("parquet");
    expect(previewKind("labels.csv")).toBe("csv");
    expect(previewKind("page.html")).toBe("text"); // shown as text, never rendered
    expect(previewKind(".hidden")).toBe("text");
  });

  it("tells binary bytes from text", () => {
    expect(looksBinary(new TextEncoder().encode("hello\nworld\t!"))).toBe(false);
    expect(looksBinary(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 1]))).toBe(true);
  });

  it("formats Parquet cells as short text", () => {
    expect(formatCell(12n)).toBe("12");
    expect(formatCell(new Date(Date.UTC(2024, 0, 2)))).toBe("2024-01-02T00:00:00.000Z");
    expect(formatCell(new Uint8Array(3))).toBe("<3 bytes>");
    expect(formatCell({ a: 1n, b: [1, 2] })).toBe('{"a":"1","b":[1,2]}');
    expect(formatCell("x".repeat(200), 10)).toBe(`${"x".repeat(9)}…`);
    expect(formatCell(null)).toBe("");
  });
});
