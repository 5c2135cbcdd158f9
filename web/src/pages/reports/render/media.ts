import { safeHref } from "../../../shaping/markdown";

const origin = typeof window !== "undefined" ? window.location.origin : undefined;

/** An image or video URL a report may show: http(s) or this site's paths (/api/… media); else null. */
export function safeMediaUrl(url: string): string | null {
  const t = safeHref(url, origin);
  return t && !t.href.startsWith("mailto:") ? t.href : null;
}
