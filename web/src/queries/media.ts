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

// A presigned URL lives for the server's grant TTL (`url_expires_s`, 15 min by default): an answer is
// fresh for half of it, so an <img> is never handed an expired link.
export const mediaItemQuery = (run: RunRef, key: string, step: number) =>
  queryOptions({
    queryKey: [...runKey(run), "media", "item", key, step],
    queryFn: () => fetchMediaItem(run, key, step),
    staleTime: (q) => (q.state.data ? q.state.data.url_expires_s * 500 : 0),
  });

export const histogramsQuery = (run: RunRef, key: string) =>
  queryOptions({ queryKey: [...runKey(run), "media", "histograms", key], queryFn: () => fetchHistograms(run, key) });
