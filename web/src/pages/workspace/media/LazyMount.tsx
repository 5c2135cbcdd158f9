import { useEffect, useRef, useState } from "react";

// One observer for every lazy panel: a section of 2,000 panels registers 2,000 elements with one
// IntersectionObserver rather than creating 2,000 observers.
const waiting = new Map<Element, () => void>();
let shared: IntersectionObserver | null = null;

function observe(el: Element, onSeen: () => void): () => void {
  shared ??= new IntersectionObserver(
    (entries) => {
      for (const e of entries) {
        if (!e.isIntersecting) continue;
        waiting.get(e.target)?.();
        waiting.delete(e.target);
        shared?.unobserve(e.target);
      }
    },
    { rootMargin: "100% 0px" },
  );
  waiting.set(el, onSeen);
  shared.observe(el);
  return () => {
    waiting.delete(el);
    shared?.unobserve(el);
  };
}

/**
 * Renders `children` once the box first comes within a screen of the viewport, and keeps them: only
 * panels on screen fetch data, so a section of 2,000 panels asks for the few that are visible.
 */
export function LazyMount({ children, minHeight }: { children: React.ReactNode; minHeight: number }) {
  const ref = useRef<HTMLDivElement>(null);
  // Without IntersectionObserver (old test environments) everything mounts at once.
  const [seen, setSeen] = useState(() => typeof IntersectionObserver === "undefined");
  useEffect(() => {
    const el = ref.current;
    if (!el || seen) return;
    return observe(el, () => setSeen(true));
  }, [seen]);
  return (
    <div ref={ref} className="media-lazy" style={{ minHeight }} data-mounted={seen || undefined}>
      {seen ? children : null}
    </div>
  );
}
