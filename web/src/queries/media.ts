import { queryOptions } from "@tanstack/react-query";
import { fetchHistograms, fetchMediaItem, listMediaKeys } from "../api/media";
import type { Run } from "../api/types";
import { runKey, RUN_POLL_MS } from "./runs";

type RunRef = Pick<Run, "id" | "project_id">;

export const mediaKeysQuery = (run: Pick<Run, "id" | "project_id" | "state">) =>
  queryOptions({
    queryKey: [...runKey(run), "media"],
    queryFn: () => listMediaKeys(run),
    refetchInterval: () => (run.state === "running" ? RUN_POLL_MS : false),
  });

// A presigned URL lives for the server's grant TTL (15 min by default): the answer is kept fresh
// for well under that, so an <img> never gets an expired link.
const ITEM_STALE_MS = 5 * 60_000;

export const mediaItemQuery = (run: RunRef, key: string, step: number) =>
  queryOptions({
    queryKey: [...runKey(run), "media", "item", key, step],
    queryFn: () => fetchMediaItem(run, key, step),
    staleTime: ITEM_STALE_MS,
    gcTime: ITEM_STALE_MS,
  });

export const histogramsQuery = (run: RunRef, key: string) =>
  queryOptions({ queryKey: [...runKey(run), "media", "histograms", key], queryFn: () => fetchHistograms(run, key) });

