import { useCallback, useMemo, useState } from "react";

/** Which metric sections may ask for their data now. */
export interface SectionGate {
  may: (title: string) => boolean;
  /** A section reports whether it is on screen and wants its data (open, drawing lines). */
  seen: (title: string, onScreen: boolean) => void;
  /** A section reports that its data has arrived. */
  drawn: () => void;
}

/**
 * Only sections on screen fetch, and the topmost of them first, alone: the others wait until one
 * section has drawn, so the first screen is not slowed by the sections beside it. `order` is the
 * sections' order on the page.
 */
export function useSectionGate(order: readonly string[]): SectionGate {
  const [onScreen, setOnScreen] = useState<ReadonlySet<string>>(() => new Set());
  const [anyDrawn, setAnyDrawn] = useState(false);
  const seen = useCallback(
    (title: string, on: boolean) =>
      setOnScreen((s) => {
        if (s.has(title) === on) return s;
        const next = new Set(s);
        if (on) next.add(title);
        else next.delete(title);
        return next;
      }),
    [],
  );
  const drawn = useCallback(() => setAnyDrawn(true), []);
  const top = order.find((t) => onScreen.has(t));
  const may = useCallback((title: string) => onScreen.has(title) && (anyDrawn || title === top), [onScreen, anyDrawn, top]);
  return useMemo(() => ({ may, seen, drawn }), [may, seen, drawn]);
}
