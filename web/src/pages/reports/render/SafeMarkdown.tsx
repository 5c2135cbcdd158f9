// A markdown block: marked turns it into HTML, DOMPurify keeps only inert markup (no script, no
// on* handler, no javascript: URL, no form or frame), and links open in a new tab without referrer.
// The server sanitised it on write already (reports/sanitize.py, nh3); this is the browser's own
// guard, because a report may be read from a link by someone who trusts nothing about its author.
import { useMemo } from "react";
import DOMPurify from "dompurify";
import { marked } from "marked";
import { safeHref } from "../../../shaping/markdown";

const origin = typeof window !== "undefined" ? window.location.origin : undefined;

let hooked = false;
function purifier() {
  if (!hooked) {
    hooked = true;
    DOMPurify.addHook("afterSanitizeAttributes", (node) => {
      if (node.tagName === "A") {
        const target = safeHref(node.getAttribute("href"), origin);
        if (!target) node.removeAttribute("href");
        else {
          node.setAttribute("href", target.href);
          if (target.external) {
            node.setAttribute("target", "_blank");
            node.setAttribute("rel", "noopener noreferrer nofollow");
          }
        }
      }
      // Media only from this site's paths or http(s); the page's CSP narrows it further.
      if ((node.tagName === "IMG" || node.tagName === "VIDEO" || node.tagName === "SOURCE") && node.hasAttribute("src")) {
        if (!safeHref(node.getAttribute("src"), origin)) node.removeAttribute("src");
      }
    });
  }
  return DOMPurify;
}

/** The sanitised HTML of `source` (exported for tests and the PDF path). */
export function markdownHtml(source: string): string {
  const html = marked.parse(source, { gfm: true, async: false }) as string;
  return purifier().sanitize(html, {
    USE_PROFILES: { html: true },
    FORBID_TAGS: ["style", "form", "input", "button", "textarea", "select", "iframe", "object", "embed"],
    FORBID_ATTR: ["style"],
  });
}

export function SafeMarkdown({ source, className = "" }: { source: string; className?: string }) {
  const html = useMemo(() => markdownHtml(source), [source]);
  return <div className={`markdown report-markdown ${className}`.trim()} dangerouslySetInnerHTML={{ __html: html }} />;
}
