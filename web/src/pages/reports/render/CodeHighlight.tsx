import { Fragment, useMemo, type ReactNode } from "react";
import { lowlight } from "./highlight";

type Hast = { type: string; value?: string; tagName?: string; properties?: { className?: string[] }; children?: Hast[] };

// lowlight's tree has only spans with hljs-* classes and text: it becomes React elements, never HTML.
function toReact(nodes: Hast[] | undefined): ReactNode[] {
  return (nodes ?? []).map((n, i) =>
    n.type === "text" ? (
      <Fragment key={i}>{n.value}</Fragment>
    ) : n.type === "element" ? (
      <span key={i} className={(n.properties?.className ?? []).join(" ")}>
        {toReact(n.children)}
      </span>
    ) : null,
  );
}

export function CodeHighlight({ code, language }: { code: string; language?: string }) {
  const tree = useMemo(() => {
    try {
      return language && lowlight.registered(language) ? lowlight.highlight(language, code) : lowlight.highlightAuto(code);
    } catch {
      return null;
    }
  }, [code, language]);
  return (
    <pre className="report-code" data-language={language || undefined}>
      <code className="hljs">{tree ? toReact(tree.children as Hast[]) : code}</code>
    </pre>
  );
}
