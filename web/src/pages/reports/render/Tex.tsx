// LaTeX through KaTeX, loaded on first use: a report without math never downloads it.
// trust stays false, so \href, \url and \htmlClass cannot make a link or markup.
import { useEffect, useRef, useState } from "react";
import "katex/dist/katex.min.css";

type Katex = typeof import("katex").default;
let katex: Katex | null = null;
let loading: Promise<Katex> | null = null;
const loadKatex = () => (loading ??= import("katex").then((m) => (katex = m.default)));

export function Tex({ latex, display = false }: { latex: string; display?: boolean }) {
  const ref = useRef<HTMLSpanElement>(null);
  const [loaded, setLoaded] = useState(katex !== null);
  useEffect(() => {
    if (!loaded) void loadKatex().then(() => setLoaded(true));
  }, [loaded]);
  useEffect(() => {
    if (!katex || !ref.current) return;
    katex.render(latex, ref.current, { displayMode: display, throwOnError: false, trust: false, strict: "ignore" });
  }, [latex, display, loaded]);
  return <span ref={ref} className={display ? "report-tex report-tex-block" : "report-tex"} data-latex={latex} data-drawn={loaded ? "1" : undefined} />;
}

/** Renders into a plain element (the editor's inline-math node view, which is not React). */
export function renderTexInto(el: HTMLElement, latex: string): void {
  el.textContent = latex;
  void loadKatex().then((k) => k.render(latex, el, { throwOnError: false, trust: false, strict: "ignore" }));
}
