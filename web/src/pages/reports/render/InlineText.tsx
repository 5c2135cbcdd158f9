import { Fragment, type ReactNode } from "react";
import { safeHref } from "../../../shaping/markdown";
import type { InlineRun, Text } from "../spec";
import { Tex } from "./Tex";

const origin = typeof window !== "undefined" ? window.location.origin : undefined;

function run(r: InlineRun): ReactNode {
  let node: ReactNode = r.math ? (
    <Tex latex={r.text} />
  ) : r.mention !== undefined ? (
    <span className="mention" data-mention={r.mention}>
      {r.text}
    </span>
  ) : (
    r.text.split("\n").map((part, i) => (
      <Fragment key={i}>
        {i > 0 && <br />}
        {part}
      </Fragment>
    ))
  );
  for (const m of r.marks ?? []) {
    if (m === "bold") node = <strong>{node}</strong>;
    else if (m === "italic") node = <em>{node}</em>;
    else if (m === "strike") node = <s>{node}</s>;
    else if (m === "underline") node = <u>{node}</u>;
    else if (m === "code") node = <code>{node}</code>;
  }
  if (r.link !== undefined) {
    const target = safeHref(r.link, origin);
    if (target)
      node = target.external ? (
        <a href={target.href} target="_blank" rel="noopener noreferrer nofollow">
          {node}
        </a>
      ) : (
        <a href={target.href}>{node}</a>
      );
  }
  return node;
}

/** A block's inline runs as React elements: text stays text, links follow safeHref only. */
export function InlineText({ text }: { text: Text }) {
  return (
    <>
      {text.map((r, i) => (
        <Fragment key={i}>{run(r)}</Fragment>
      ))}
    </>
  );
}
