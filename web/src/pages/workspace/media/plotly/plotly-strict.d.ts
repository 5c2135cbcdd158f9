// The few calls the Plotly panel makes; the strict bundle ships no type declarations.
declare module "plotly.js-strict-dist-min" {
  export interface PlotlyApi {
    react(el: HTMLElement, data: unknown[], layout?: Record<string, unknown>, config?: Record<string, unknown>): Promise<HTMLElement>;
    purge(el: HTMLElement): void;
  }
  const Plotly: PlotlyApi;
  export default Plotly;
}
