import { useEffect, useRef, useState } from "react";

// One observer per scroll container for every lazy panel: a section of 2,000 panels registers 2,000
// elements with one IntersectionObserver rather than creating 2,000 observers.
const waiting = new Map<Element, () => void>();
const observers = new Map<Element | null, IntersectionObserver>();

/**
 * The element whose scrolling moves `el` (the workspace's .ws-main), or null for the page. The
 * observer's root must be it: a root margin on the viewport does not reach past the clip of a
 * scrolling ancestor, so panels a screen below would not mount until they were on screen.
 */
function scrollRoot(el: Element): Element | null {
  for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
    const { overflowY } = getComputedStyle(p);
    if (overflowY === "auto" || overflowY === "scroll") return p;
  }
  return null;
}

function observe(el: Element, onSeen: () => void): () => void {
  const root = scrollRoot(el);
  let io = observers.get(root);
  if (!io) {
    io = new IntersectionObserver(
      (entries, self) => {
        for (const e of entries) {
          if (!e.isIntersecting) continue;
          waiting.get(e.target)?.();
          waiting.delete(e.target);
          self.unobserve(e.target);
        }
      },
      { root, rootMargin: "100% 0px" },
    );
    observers.set(root, io);
  }
  waiting.set(el, onSeen);
  io.observe(el);
  return () => {
    waiting.delete(el);
    io.unobserve(el);
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
