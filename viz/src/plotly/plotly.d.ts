// plotly.js's partial bundles ship no types; this is the part of its API the renderer calls.
declare module "plotly.js-basic-dist-min" {
  interface PlotlyApi {
    newPlot(
      element: HTMLElement,
      data: readonly object[],
      layout?: object,
      config?: object,
    ): Promise<HTMLElement>;
    react(
      element: HTMLElement,
      data: readonly object[],
      layout?: object,
      config?: object,
    ): Promise<HTMLElement>;
    relayout(element: HTMLElement, update: object): Promise<HTMLElement>;
    purge(element: HTMLElement): void;
    Plots: { resize(element: HTMLElement): Promise<void> };
  }
  const Plotly: PlotlyApi;
  export default Plotly;
}
