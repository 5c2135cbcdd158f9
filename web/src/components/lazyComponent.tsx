import { useEffect, useState, type ComponentType } from "react";
import { ErrorBanner, Loading } from "./status";

/**
 * A component (a page, a panel type) loaded on first use, like React.lazy, but without a Suspense boundary: React holds
 * a resolved boundary's content back for up to 300 ms after its fallback showed (its reveal
 * throttle), so every first visit of a page (or panel type) waited about that long after its chunk had arrived
 * (as the media panels did; MediaSectionsLoader). Once loaded, the page renders at once.
 */
export function lazyComponent<P extends object>(load: () => Promise<{ default: ComponentType<P> }>, what = "Loading"): ComponentType<P> {
  let Loaded: ComponentType<P> | null = null;
  let pending: Promise<ComponentType<P>> | null = null;
  const start = () =>
    (pending ??= load().then(
      (m) => (Loaded = m.default),
      (e: unknown) => {
        pending = null; // a failed chunk (a deploy in between) is asked for again next time
        throw e;
      },
    ));
  return function LazyComponent(props: P) {
    const [, setLoaded] = useState(Loaded !== null);
    const [error, setError] = useState<unknown>(null);
    useEffect(() => {
      if (Loaded) return;
      let live = true;
      start().then(
        () => live && setLoaded(true),
        (e: unknown) => live && setError(e),
      );
      return () => {
        live = false;
      };
    }, []);
    if (error) return <ErrorBanner error={error} />;
    return Loaded ? <Loaded {...props} /> : <Loading what={what} />;
  };
}
