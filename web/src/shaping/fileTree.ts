// A folder tree over an artifact manifest that the server only serves as pages of entries under a
// path prefix, in path order (GET .../files?prefix=&offset=&limit=). Folders are not stored: they
// are the runs of consecutive entries that share a segment after the prefix. Every entry under a
// folder sits in one contiguous run of that order, so a folder's size in entries (one request with
// its prefix and limit=1 answers `total`) says where the next sibling starts. A folder of 10,000
// files therefore costs one count, never 10 pages, and a manifest of 1M entries is read a page at a
// time where the viewer looks, never whole.

/** What the tree needs of a manifest entry. */
export interface EntryLike {
  path: string;
  size?: number | null;
}

export interface PageOf<E extends EntryLike> {
  entries: E[];
  total: number;
}

/** One page of entries under `prefix`, from `offset`, at most `limit` of them. */
export type FetchEntries<E extends EntryLike> = (prefix: string, offset: number, limit: number) => Promise<PageOf<E>>;

export interface TreeFolder {
  kind: "folder";
  name: string;
  /** The folder's prefix, ending in "/". */
  path: string;
  /** Entries anywhere under it. */
  count: number;
}

export interface TreeFile<E extends EntryLike> {
  kind: "file";
  name: string;
  path: string;
  entry: E;
}

export type TreeChild<E extends EntryLike> = TreeFolder | TreeFile<E>;

/** The direct children of one folder read so far. */
export interface Listing<E extends EntryLike> {
  children: TreeChild<E>[];
  /** Offset (among the entries under the folder) of the first entry not yet grouped; null when done. */
  next: number | null;
  /** Entries under the folder, known after the first page. */
  total: number | null;
  /** The page size of the next read: small while the folder's children turn out to be big folders. */
  limit: number;
  /** The size of the last folder that ran past a page: siblings are often alike (shards, classes). */
  guess: number | null;
  /** Entries already read from `next` on (by a read that checked a guess), used instead of a request. */
  ahead: PageOf<E> | null;
}

export const MAX_PAGE = 1000; // the route's most
const SKIP_PAGE = 100;

export const emptyListing = <E extends EntryLike>(): Listing<E> => ({ children: [], next: 0, total: null, limit: MAX_PAGE, guess: null, ahead: null });

interface Run {
  name: string;
  folder: boolean;
  /** Index of the run's first entry in the page. */
  start: number;
  length: number;
}

/** Splits a page of entries under `prefix` into runs of direct children, in order. */
export function childRuns(prefix: string, paths: readonly string[]): Run[] {
  const runs: Run[] = [];
  for (let i = 0; i < paths.length; i++) {
    const rest = paths[i].slice(prefix.length);
    const slash = rest.indexOf("/");
    const name = slash < 0 ? rest : rest.slice(0, slash);
    const folder = slash >= 0;
    const last = runs[runs.length - 1];
    if (last && folder && last.folder && last.name === name) last.length++;
    else runs.push({ name, folder, start: i, length: 1 });
  }
  return runs;
}

/**
 * Reads the next children of the folder at `prefix` ("" for the root): one page, and when the page
 * ends inside a folder, that folder's size. The size is first guessed to be the last big sibling's
 * and checked by reading the page that starts at the guessed last entry: when it is the folder's
 * last entry, that same page goes on with the next siblings (kept as `ahead`), so a run of alike
 * folders costs one request each; otherwise one count request answers it.
 */
export async function listMore<E extends EntryLike>(fetchEntries: FetchEntries<E>, prefix: string, listing: Listing<E>): Promise<Listing<E>> {
  if (listing.next === null) return listing;
  const offset = listing.next;
  const page = listing.ahead ?? (await fetchEntries(prefix, offset, listing.limit));
  const total = page.total;
  const runs = childRuns(prefix, page.entries.map((e) => e.path));
  const children = listing.children.slice();
  let next: number | null = offset + page.entries.length;
  let limit = MAX_PAGE;
  let guess = listing.guess;
  let ahead: PageOf<E> | null = null;
  for (const [i, run] of runs.entries()) {
    if (!run.folder) {
      const entry = page.entries[run.start];
      children.push({ kind: "file", name: run.name, path: entry.path, entry });
      continue;
    }
    const path = `${prefix}${run.name}/`;
    const start = offset + run.start;
    let count = run.length;
    if (i === runs.length - 1 && start + run.length < total) {
      // The folder may go on past this page: learn its size instead of reading the rest of it.
      let known: number | null = null;
      if (guess !== null && guess > run.length && start + guess <= total) {
        const probe = await fetchEntries(prefix, start + guess - 1, SKIP_PAGE + 1);
        const [last, ...after] = probe.entries;
        const endsThere = after.length > 0 ? !after[0].path.startsWith(path) : start + guess === total;
        if (last?.path.startsWith(path) && endsThere) {
          known = guess;
          if (after.length > 0) ahead = { entries: after, total };
        }
      }
      count = known ?? (await fetchEntries(path, 0, 1)).total;
      next = start + count;
      limit = SKIP_PAGE;
      guess = count;
    }
    children.push({ kind: "folder", name: run.name, path, count });
  }
  if (page.entries.length === 0 || (next !== null && next >= total)) next = null;
  return { children, next, total, limit, guess, ahead: next === null ? null : ahead };
}

export type TreeRow<E extends EntryLike> =
  | { kind: "folder"; depth: number; folder: TreeFolder; open: boolean }
  | { kind: "file"; depth: number; file: TreeFile<E> }
  /** The end of a folder's loaded children while more remain: rendering it asks for the next page. */
  | { kind: "more"; depth: number; prefix: string; loaded: number; total: number | null };

/** The visible rows: the root's children, and under each open folder its children, depth first. */
export function treeRows<E extends EntryLike>(listings: ReadonlyMap<string, Listing<E>>, open: ReadonlySet<string>, root = ""): TreeRow<E>[] {
  const rows: TreeRow<E>[] = [];
  const walk = (prefix: string, depth: number) => {
    const listing = listings.get(prefix);
    if (!listing) {
      rows.push({ kind: "more", depth, prefix, loaded: 0, total: null });
      return;
    }
    for (const child of listing.children) {
      if (child.kind === "file") {
        rows.push({ kind: "file", depth, file: child });
        continue;
      }
      const isOpen = open.has(child.path);
      rows.push({ kind: "folder", depth, folder: child, open: isOpen });
      if (isOpen) walk(child.path, depth + 1);
    }
    if (listing.next !== null) rows.push({ kind: "more", depth, prefix, loaded: listing.children.length, total: listing.total });
  };
  walk(root, 0);
  return rows;
}

/** The folders to open so that `path` shows: "a/b/c.txt" → ["a/", "a/b/"]. */
export function ancestors(path: string): string[] {
  const parts = path.split("/");
  const out: string[] = [];
  for (let i = 1; i < parts.length; i++) out.push(`${parts.slice(0, i).join("/")}/`);
  return out;
}
