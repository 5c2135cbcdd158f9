import { useEffect, useState, type RefObject } from "react";

/**
 * The element whose scrolling moves `el` (the workspace's .ws-main), or null for the page: an
 * IntersectionObserver's root must be it, or the clip of a scrolling ancestor hides what is seen.
 */
export function scrollRoot(el: Element): Element | null {
  for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
    const { overflowY } = getComputedStyle(p);
    if (overflowY === "auto" || overflowY === "scroll") return p;
  }
  return null;
}

/** Whether any part of the element is on screen now (always true where there is no IntersectionObserver). */
export function useInView(ref: RefObject<Element | null>): boolean {
  const [inView, setInView] = useState(() => typeof IntersectionObserver === "undefined");
  useEffect(() => {
    const el = ref.current;
    if (!el || typeof IntersectionObserver === "undefined") return;
    const io = new IntersectionObserver(([e]) => setInView(e.isIntersecting), { root: scrollRoot(el) });
    io.observe(el);
    return () => io.disconnect();
  }, [ref]);
  return inView;
}
