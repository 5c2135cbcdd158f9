import { keepPreviousData, useQuery } from "@tanstack/react-query";
import type { Run } from "../../../api/types";
import { mediaItemQuery } from "../../../queries/media";
import { ErrorBanner, Loading } from "../../../components/status";
import { StepNote } from "./StepNote";

/**
 * Logged Html in an iframe with `sandbox="allow-scripts"` and never allow-same-origin: its document
 * gets an opaque origin, so its scripts cannot read the dashboard (parent.document throws), its
 * cookies or its storage. The bytes come as text through the presigned GET (an attachment, never a
 * page of our origin) and go in by `srcdoc`.
 */
export function HtmlPanel({ run, mediaKey, step, requested }: { run: Run; mediaKey: string; step: number; requested: number }) {
  const item = useQuery({ ...mediaItemQuery(run, mediaKey, step), placeholderData: keepPreviousData });
  const url = (item.data?.descriptor as { url?: string } | undefined)?.url;
  const html = useQuery({
    queryKey: ["media-html", item.data?.descriptor.sha256 ?? url],
    queryFn: async () => {
      const r = await fetch(url!, { credentials: "omit" });
      if (!r.ok) throw new Error(`The Html could not be downloaded (${r.status}).`);
      return r.text();
    },
    enabled: !!url,
    staleTime: Infinity,
    placeholderData: keepPreviousData,
  });
  const error = item.error ?? html.error;
  if (error && !html.data) return <ErrorBanner error={error} />;
  if (html.data === undefined) return <Loading what="Loading Html" />;
  return (
    <div className="media-html" data-run={run.id}>
      <StepNote shown={item.data?.step ?? step} requested={requested} />
      <iframe title={`${mediaKey} (${run.name ?? run.id})`} sandbox="allow-scripts" srcDoc={html.data} referrerPolicy="no-referrer" />
    </div>
  );
}
