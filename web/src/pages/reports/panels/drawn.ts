// When a report panel's body has drawn, read from the DOM the workspace's own components leave:
// the report's ready flag (and so the PDF export) waits on it for every panel, so a chart is never
// printed blank. A body has drawn when it shows something final (a chart, a table, media, a value,
// or its explicit empty or error text) and nothing in it is still on its way.

/** What a drawn body shows: content, or a message that there is none (or why it failed). */
const SHOWS = [
  "canvas", "svg", "table", "img", "video", "audio", "iframe",
  ".u-wrap", ".value-panel", ".markdown", ".tv-grid",
  ".panel-empty", ".chart-problem", ".error-banner",
].join(", "); // prettier-ignore

/** Still on its way: each selector is one component's "not yet". */
const PENDING = [
  ".state-loading", // a Loading note: data, a lazy chunk, ECharts or plotly themselves
  ".echart-wrap:not(:has(.error-banner)) .echart:not([data-drawn])", // ECharts before its first frame
  ".media-plotly:not(:has(.error-banner)) .media-plotly-plot:not([data-drawn])", // plotly before it drew
  ".tv-grid:not(:has(.error-banner)) .tv-status:not(:has([data-matched]))", // a logged table's first page
  ".tv-pending", // a table row not read yet
].join(", ");

/** Whether `body` (a `.report-panel-body`) has drawn. */
export function bodyDrawn(body: Element): boolean {
  if (!body.querySelector(SHOWS) || body.querySelector(PENDING)) return false;
  // Media: an image counts once decoded (or failed: it then shows its alt text), a video once the
  // browser knows its frame size; neither changes the DOM, so the grid listens for their events.
  for (const img of body.querySelectorAll("img")) if (!img.complete) return false;
  for (const v of body.querySelectorAll("video")) if (v.readyState < HTMLMediaElement.HAVE_METADATA && !v.error && v.networkState !== HTMLMediaElement.NETWORK_NO_SOURCE) return false;
  return true;
}

/** The media events after which a body may have drawn (they do not bubble: listen in the capture phase). */
export const MEDIA_EVENTS = ["load", "error", "loadedmetadata"] as const;

/**
 * Asks every image under `root` to load now: the workspace's media panels load images lazily (only
 * near the screen), but a report is ready only once every panel drew, and the PDF printer waits
 * for that, so an image below the fold must not wait to be scrolled to.
 */
export function loadImagesNow(root: Element): void {
  for (const img of root.querySelectorAll<HTMLImageElement>('img[loading="lazy"]')) img.loading = "eager";
}
