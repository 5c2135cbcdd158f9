import { useEffect, useRef, useState } from "react";

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
    const io = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && setSeen(true), { rootMargin: "100% 0px" });
    io.observe(el);
    return () => io.disconnect();
  }, [seen]);
  return (
    <div ref={ref} className="media-lazy" style={{ minHeight }} data-mounted={seen || undefined}>
      {seen ? children : null}
    </div>
  );
}
