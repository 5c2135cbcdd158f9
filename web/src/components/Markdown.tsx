// User markdown (a registered model's description, a version's model card) as React elements.
// marked's lexer parses it (CommonMark + GFM tables, task lists, strikethrough, autolinks) into
// tokens, and each token becomes an element here: nothing is ever handed to the DOM as HTML.
// Raw HTML in the source shows as its text, links follow only http(s), mailto and this site's
// paths (shaping/markdown.ts), and images are links to them: the CSP loads images from this
// origin only, and an image from anywhere else would tell its host who read the card.
import { Fragment, useMemo, type ReactNode } from "react";
import { Lexer, type Token, type Tokens } from "marked";
import { decodeEntities, safeHref } from "../shaping/markdown";

const origin = typeof window !== "undefined" ? window.location.origin : undefined;

/** Renders `source` as markdown; `className` goes on the wrapping <div>. */
export function Markdown({ source, className = "", testId }: { source: string; className?: string; testId?: string }) {
  const tokens = useMemo(() => new Lexer({ gfm: true }).lex(source), [source]);
  return (
    <div className={`markdown ${className}`.trim()} data-testid={testId}>
      {blocks(tokens)}
    </div>
  );
}

function blocks(tokens: readonly Token[]): ReactNode[] {
  return tokens.map((t, i) => <Fragment key={i}>{block(t)}</Fragment>);
}

function inline(tokens: readonly Token[] | undefined, fallback = ""): ReactNode[] {
  if (!tokens) return [decodeEntities(fallback)];
  return tokens.map((t, i) => <Fragment key={i}>{span(t)}</Fragment>);
}

// Headings sit one level under the page's own: a card's `#` is an <h2>.
const HEADINGS = ["h2", "h3", "h4", "h5", "h6", "h6"] as const;

function block(t: Token): ReactNode {
  switch (t.type) {
    case "space":
    case "def":
      return null;
    case "heading": {
      const H = HEADINGS[Math.min(Math.max((t as Tokens.Heading).depth, 1), 6) - 1];
      return <H>{inline(t.tokens, t.text)}</H>;
    }
    case "paragraph":
      return <p>{inline(t.tokens, t.text)}</p>;
    case "text":
      // A tight list item's text: inline content without a paragraph around it.
      return <>{inline(t.tokens, t.text)}</>;
    case "code":
      return (
        <pre className="md-code">
          <code>{(t as Tokens.Code).text}</code>
        </pre>
      );
    case "blockquote":
      return <blockquote>{blocks((t as Tokens.Blockquote).tokens)}</blockquote>;
    case "hr":
      return <hr />;
    case "list":
      return list(t as Tokens.List);
    case "table":
      return table(t as Tokens.Table);
    case "html":
      // Shown as the text it is: the card's author wrote it, the reader's browser never runs it.
      return <p className="md-html">{(t as Tokens.HTML).text}</p>;
    default:
      return "tokens" in t && Array.isArray(t.tokens) ? <p>{inline(t.tokens)}</p> : <p>{"raw" in t ? String(t.raw) : ""}</p>;
  }
}

function list(t: Tokens.List): ReactNode {
  const items = t.items.map((item, i) => (
    <li key={i} className={item.task ? "md-task" : undefined}>
      {item.task && <input type="checkbox" checked={!!item.checked} readOnly disabled aria-label={item.checked ? "done" : "not done"} />}
      {blocks(item.tokens.filter((c) => c.type !== "checkbox"))}
    </li>
  ));
  if (!t.ordered) return <ul>{items}</ul>;
  const start = typeof t.start === "number" && t.start !== 1 ? t.start : undefined;
  return <ol start={start}>{items}</ol>;
}

function table(t: Tokens.Table): ReactNode {
  const align = (i: number) => t.align[i] ?? undefined;
  return (
    <div className="md-table-scroll">
      <table className="table compact">
        <thead>
          <tr>
            {t.header.map((cell, i) => (
              <th key={i} style={{ textAlign: align(i) }}>
                {inline(cell.tokens, cell.text)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {t.rows.map((row, r) => (
            <tr key={r}>
              {row.map((cell, i) => (
                <td key={i} style={{ textAlign: align(i) }}>
                  {inline(cell.tokens, cell.text)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function span(t: Token): ReactNode {
  switch (t.type) {
    case "text":
      return "tokens" in t && t.tokens?.length ? inline(t.tokens) : decodeEntities((t as Tokens.Text).text);
    case "escape":
      return (t as Tokens.Escape).text;
    case "strong":
      return <strong>{inline(t.tokens, t.text)}</strong>;
    case "em":
      return <em>{inline(t.tokens, t.text)}</em>;
    case "del":
      return <del>{inline(t.tokens, t.text)}</del>;
    case "codespan":
      return <code>{decodeEntities((t as Tokens.Codespan).text)}</code>;
    case "br":
      return <br />;
    case "link":
      return link((t as Tokens.Link).href, inline(t.tokens, t.text), (t as Tokens.Link).title);
    case "image": {
      const img = t as Tokens.Image;
      return link(img.href, `image: ${decodeEntities(img.text) || img.href}`, img.title);
    }
    case "html":
      return (t as Tokens.Tag).text;
    default:
      return "raw" in t ? String(t.raw) : null;
  }
}

function link(href: string, children: ReactNode, title?: string | null): ReactNode {
  const target = safeHref(href, origin);
  if (!target) return <span className="md-dead-link">{children}</span>;
  return target.external ? (
    <a href={target.href} title={title ?? undefined} target="_blank" rel="noopener noreferrer nofollow">
      {children}
    </a>
  ) : (
    <a href={target.href} title={title ?? undefined}>
      {children}
    </a>
  );
}
