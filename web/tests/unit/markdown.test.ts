import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { Markdown } from "../../src/components/Markdown";
import { decodeEntities, safeHref } from "../../src/shaping/markdown";

const html = (source: string) => renderToStaticMarkup(createElement(Markdown, { source }));

describe("Markdown", () => {
  it("renders headings one level under the page's, emphasis, code, lists and tables", () => {
    const out = html("# Card\n\nSome *em*, **strong** and `code`.\n\n- a\n- b\n\n1. one\n\n| k | v |\n|---|--:|\n| lr | 0.1 |\n\n```\nx = 1\n```");
    expect(out).toContain("<h2>Card</h2>");
    expect(out).toContain("<em>em</em>");
    expect(out).toContain("<strong>strong</strong>");
    expect(out).toContain("<code>code</code>");
    expect(out).toContain("<ul><li>a</li><li>b</li></ul>");
    expect(out).toContain("<ol><li>one</li></ol>");
    expect(out).toContain('<td style="text-align:right">0.1</td>');
    expect(out).toContain('<pre class="md-code"><code>x = 1</code></pre>');
  });

  it("shows raw HTML as text, never as markup", () => {
    const out = html('<script>alert(1)</script>\n\nhi <img src=x onerror="alert(2)"> there');
    expect(out).not.toContain("<script");
    expect(out).not.toContain("<img");
    expect(out).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(out).toContain("&lt;img src=x onerror=&quot;alert(2)&quot;&gt;");
  });

  it("follows only http(s), mailto and same-site links; images become links", () => {
    const out = html("[x](javascript:alert(1)) [y](https://example.com/a) [z](/acme/vision) ![pic](https://example.com/p.png) [d](data:text/html,hi)");
    expect(out).not.toContain("javascript:");
    expect(out).not.toContain('href="data:');
    expect(out).toContain('<span class="md-dead-link">x</span>');
    expect(out).toContain('<a href="https://example.com/a" target="_blank" rel="noopener noreferrer nofollow">y</a>');
    expect(out).toContain('<a href="/acme/vision">z</a>');
    expect(out).toContain(">image: pic</a>");
    expect(out).not.toContain("<img");
  });

  it("decodes character references into text", () => {
    expect(html("Tom &amp; Jerry &copy; &#8212; &lt;b&gt;")).toContain("Tom &amp; Jerry © — &lt;b&gt;");
  });

  it("renders task lists as disabled checkboxes", () => {
    const out = html("- [x] trained\n- [ ] evaluated");
    expect(out).toContain('<input type="checkbox" readOnly="" disabled="" aria-label="done" checked=""/>trained');
    expect(out.match(/type="checkbox"/g)).toHaveLength(2);
  });
});

describe("safeHref", () => {
  const base = "https://wan.example";
  it("keeps http(s) and mailto, marking other origins external", () => {
    expect(safeHref("https://example.com/x?y=1", base)).toEqual({ href: "https://example.com/x?y=1", external: true });
    expect(safeHref("mailto:a@b.c", base)).toEqual({ href: "mailto:a@b.c", external: true });
    expect(safeHref("/acme/vision/runs/r1", base)).toEqual({ href: "/acme/vision/runs/r1", external: false });
    expect(safeHref("#usage", base)).toEqual({ href: "#usage", external: false });
  });
  it("refuses other schemes, including disguised ones", () => {
    for (const bad of ["javascript:alert(1)", " JavaScript:alert(1)", "java\tscript:alert(1)", "data:text/html,x", "vbscript:x", "file:///etc/passwd", ""]) {
      expect(safeHref(bad, base), bad).toBeNull();
    }
  });
  it("refuses a relative path that is not rooted (it would resolve against the page)", () => {
    expect(safeHref("runs/r1", base)).toBeNull();
  });
});

describe("decodeEntities", () => {
  it("decodes named, decimal and hex references and leaves the rest", () => {
    expect(decodeEntities("a &amp; b &#65;&#x42; &unknown; & c")).toBe("a & b AB &unknown; & c");
    expect(decodeEntities("&#0; &#xD800;")).toBe("\ufffd \ufffd");
  });
});
