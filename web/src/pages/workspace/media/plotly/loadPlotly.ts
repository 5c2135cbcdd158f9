// plotly.js for the Plotly panel: loaded with the first such panel (it is ~1.5 MB gzip), never
// with the dashboard. It is the "strict" bundle: the full one compiles its WebGL traces (scattergl,
// splom, parcoords, which plotly.py picks by itself for large data) with new Function(), which the
// dashboard's CSP (script-src 'self', no eval) refuses; they then draw nothing, silently.
import type { PlotlyApi } from "plotly.js-strict-dist-min";

// plotly.js adds <style> elements when it loads, which the dashboard's CSP (style-src 'self')
// refuses. It skips one whose id is already taken by an element of class "no-inline-styles"
// (its own switch for strict CSPs); its global rules come instead from plotly.css, a same-origin
// stylesheet (scripts/plotly-css.mjs). The second id is maplibre-gl's CSS, needed only by map
// traces, whose tiles and workers this CSP refuses anyway.
const PROVIDED_STYLE_IDS = ["plotly.js-style-global", "9f215cf04c5486422605d13261cb87401f4e7763b6296af81e98efbc0130da53"];

let loading: Promise<PlotlyApi> | null = null;
let loaded: PlotlyApi | null = null;

/** plotly.js if it has loaded (to let go of a plot without loading it for that). */
export const plotlyIfLoaded = (): PlotlyApi | null => loaded;

export function loadPlotly(): Promise<PlotlyApi> {
  loading ??= (async () => {
    for (const id of PROVIDED_STYLE_IDS) {
      if (document.getElementById(id)) continue;
      const mark = document.createElement("meta");
      mark.id = id;
      mark.className = "no-inline-styles";
      document.head.appendChild(mark);
    }
    loaded = (await import("./plotlyBundle")).default;
    return loaded;
  })();
  return loading;
}
