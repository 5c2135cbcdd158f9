// Pieces of the markdown renderer (components/Markdown.tsx) that decide what user text may become:
// which link targets are followed, and the character references a text node shows decoded.

const FOLLOWED = new Set(["http:", "https:", "mailto:"]);

/**
 * The href a markdown link may carry, or null to show its text only. The target is parsed as a URL
 * (never matched by pattern): http(s) and mailto links, and paths on this site (`/…`, `#…`); never
 * `javascript:`, `data:` or any other scheme.
 */
export function safeHref(href: string | null | undefined, base = "https://dashboard.invalid"): { href: string; external: boolean } | null {
  const text = (href ?? "").trim();
  if (!text) return null;
  let url: URL;
  try {
    url = new URL(text, base);
  } catch {
    return null;
  }
  if (!FOLLOWED.has(url.protocol)) return null;
  const site = new URL(base);
  if (url.origin === site.origin) {
    // A path on this site: kept as written, so the app's routes open it.
    return text.startsWith("/") || text.startsWith("#") ? { href: text, external: false } : null;
  }
  return { href: url.href, external: true };
}

const NAMED: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: "\u00a0",
  copy: "©",
  reg: "®",
  trade: "™",
  hellip: "…",
  mdash: "—",
  ndash: "–",
  laquo: "«",
  raquo: "»",
  lsquo: "‘",
  rsquo: "’",
  ldquo: "“",
  rdquo: "”",
  times: "×",
  divide: "÷",
  deg: "°",
  plusmn: "±",
  middot: "·",
  bull: "•",
  larr: "←",
  rarr: "→",
  uarr: "↑",
  darr: "↓",
  le: "≤",
  ge: "≥",
  ne: "≠",
  euro: "€",
  pound: "£",
  yen: "¥",
  cent: "¢",
  sect: "§",
  para: "¶",
};

/**
 * A text with its character references (`&amp;`, `&#169;`, `&#x2014;`) decoded, as a browser shows
 * them; the markdown parser keeps them as written. Unknown names stay as typed. The result goes into
 * a text node, so a decoded `&lt;` is a character, never markup.
 */
export function decodeEntities(text: string): string {
  if (!text.includes("&")) return text;
  let out = "";
  let i = 0;
  while (i < text.length) {
    const amp = text.indexOf("&", i);
    if (amp < 0) break;
    out += text.slice(i, amp);
    const semi = text.indexOf(";", amp + 1);
    const body = semi > amp && semi - amp <= 33 ? text.slice(amp + 1, semi) : null;
    const char = body === null ? null : referenced(body);
    if (char === null) {
      out += "&";
      i = amp + 1;
    } else {
      out += char;
      i = semi + 1;
    }
  }
  return out + text.slice(i);
}

function referenced(body: string): string | null {
  if (body.startsWith("#")) {
    const hex = body[1] === "x" || body[1] === "X";
    const digits = body.slice(hex ? 2 : 1);
    if (!digits || !(hex ? /^[0-9a-f]+$/i : /^[0-9]+$/).test(digits)) return null;
    const code = parseInt(digits, hex ? 16 : 10);
    // NUL, surrogates and past Unicode's end read as the replacement character, as in HTML.
    if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return "\ufffd";
    return String.fromCodePoint(code);
  }
  return Object.hasOwn(NAMED, body) ? NAMED[body] : null;
}
