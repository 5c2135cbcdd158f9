import { useState } from "react";
import { formatValue } from "../../shaping/fields";

/** A nested object as an expandable tree; top levels start open. */
export function ConfigTree({ value, depth = 0 }: { value: Record<string, unknown>; depth?: number }) {
  const entries = Object.entries(value ?? {});
  if (entries.length === 0) return <div className="muted small">Empty</div>;
  return (
    <ul className="tree">
      {entries.map(([k, v]) => (
        <TreeNode key={k} name={k} value={v} depth={depth} />
      ))}
    </ul>
  );
}

function TreeNode({ name, value, depth }: { name: string; value: unknown; depth: number }) {
  const nested = value !== null && typeof value === "object" && !Array.isArray(value);
  const [open, setOpen] = useState(depth < 2);
  if (!nested)
    return (
      <li className="tree-leaf">
        <span className="tree-key">{name}</span>
        <span className="tree-val mono">{formatValue(value)}</span>
      </li>
    );
  return (
    <li>
      <button className="tree-toggle" onClick={() => setOpen(!open)} aria-expanded={open}>
        <span className={`caret${open ? " open" : ""}`}>▸</span> <span className="tree-key">{name}</span>
      </button>
      {open && <ConfigTree value={value as Record<string, unknown>} depth={depth + 1} />}
    </li>
  );
}
