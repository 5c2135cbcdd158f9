import { useCallback, useMemo, useRef, useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import type { FileEntry, FileSource } from "../../api/artifacts";
import { filePageQuery } from "../../queries/artifacts";
import { ancestors, emptyListing, listMore, treeRows, type Listing, type TreeRow } from "../../shaping/fileTree";

export interface FileTree {
  rows: TreeRow<FileEntry>[];
  /** Reads the next children of the folder at `prefix`; a second call while one is reading is a no-op. */
  loadMore: (prefix: string) => void;
  toggle: (folder: string) => void;
  error: unknown;
}

/**
 * The version's folder tree: each open folder's children, read a page at a time as their rows come
 * into view (the `more` rows; shaping/fileTree.ts). Pages go through the query cache, so reopening a
 * folder or revisiting the tab reads nothing again. `source` keeps its identity while the version does
 * (callers memoize it), or every folder would be read again.
 */
export function useFileTree(source: FileSource, initialPath: string | null): FileTree {
  const qc = useQueryClient();
  const [listings, setListings] = useState<ReadonlyMap<string, Listing<FileEntry>>>(() => new Map());
  const [open, setOpen] = useState<ReadonlySet<string>>(() => new Set(initialPath ? ancestors(initialPath) : []));
  const [error, setError] = useState<unknown>(null);
  // The latest listings and the folders being read, for callbacks (never read while rendering).
  const latest = useRef(listings);
  const reading = useRef(new Set<string>());

  const loadMore = useCallback(
    (prefix: string) => {
      if (reading.current.has(prefix)) return;
      const listing = latest.current.get(prefix) ?? emptyListing<FileEntry>();
      if (listing.next === null) return;
      reading.current.add(prefix);
      const fetchEntries = (p: string, offset: number, limit: number) => qc.fetchQuery(filePageQuery(source, p, offset, limit));
      listMore(fetchEntries, prefix, listing)
        .then((next) => {
          const map = new Map(latest.current);
          map.set(prefix, next);
          latest.current = map;
          setListings(map);
          setError(null);
        })
        .catch((e: unknown) => setError(e))
        .finally(() => reading.current.delete(prefix));
    },
    [qc, source],
  );

  const toggle = useCallback((folder: string) => {
    setOpen((was) => {
      const next = new Set(was);
      if (!next.delete(folder)) next.add(folder);
      return next;
    });
  }, []);

  const rows = useMemo(() => treeRows(listings, open), [listings, open]);
  return { rows, loadMore, toggle, error };
}
