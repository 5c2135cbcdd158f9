import { useEffect, useState } from "react";
import { Loading } from "../../components/status";
import type MediaSectionsComponent from "./media/MediaSections";
import type { MediaSectionsProps } from "./media/MediaSections";

// Media panels (images, 3D, plotly, histograms over steps, Html) are their own chunk, loaded once a
// selected run is known to have media. Not through React.lazy + Suspense: React holds a resolved
// boundary's content back for up to 300 ms after showing its fallback (its reveal throttle), which
// delayed every media panel's first request by about as much. Once loaded, it stays for the page.
let Sections: typeof MediaSectionsComponent | null = null;

export function MediaSectionsLoader(props: MediaSectionsProps) {
  const [, setLoaded] = useState(Sections !== null);
  useEffect(() => {
    if (Sections) return;
    let live = true;
    void import("./media/MediaSections").then((m) => {
      Sections = m.default;
      if (live) setLoaded(true);
    });
    return () => {
      live = false;
    };
  }, []);
  return Sections ? <Sections {...props} /> : <Loading what="Loading media panels" />;
}
