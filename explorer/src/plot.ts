/** The page's charts, drawn by plotly.js-dist-min (loaded as a page global by index.html). */

interface PlotlyApi {
  react(el: HTMLElement, data: unknown[], layout: Record<string, unknown>, config?: Record<string, unknown>): Promise<unknown>;
}
declare const Plotly: PlotlyApi;

const CONFIG = { displayModeBar: false, responsive: true, staticPlot: false };

/** A heatmap with the training boundary: 1-D, lines at `boundary − 0.5` on both axes; 2-D, the training grid's box. */
export function heatmap(el: HTMLElement, rows: number[][], opts: { title: string; boundary: number; kind: '1d' | '2d'; height?: number; axis?: string }): Promise<unknown> {
  const b = opts.boundary - 0.5;
  const dash = { color: '#111', width: 1.5, dash: 'dash' };
  const shapes = opts.kind === '1d'
    ? [
      { type: 'line', x0: b, x1: b, y0: -0.5, y1: rows.length - 0.5, line: dash },
      { type: 'line', y0: b, y1: b, x0: -0.5, x1: rows.length - 0.5, line: dash },
    ]
    : [{ type: 'rect', x0: -0.5, x1: b, y0: -0.5, y1: b, line: dash }];
  return Plotly.react(el, [{ z: rows, type: 'heatmap', colorscale: 'Viridis', colorbar: { thickness: 10 } }], {
    title: { text: opts.title, font: { size: 13 } },
    height: opts.height ?? 320,
    margin: { l: 40, r: 10, t: 34, b: 34 },
    xaxis: { title: { text: opts.axis ?? (opts.kind === '1d' ? 'position' : 'column') }, constrain: 'domain' },
    yaxis: { title: { text: opts.kind === '1d' ? 'position' : 'row' }, autorange: 'reversed', scaleanchor: 'x' },
    shapes,
  }, CONFIG);
}

/** Loss curves by name, per step. */
export function lossChart(el: HTMLElement, series: { name: string; y: number[] }[]): Promise<unknown> {
  return Plotly.react(el, series.map((s) => ({ name: s.name, y: s.y, x: s.y.map((_, i) => i + 1), type: 'scatter', mode: 'lines' })), {
    title: { text: 'loss per step', font: { size: 13 } },
    height: 340,
    margin: { l: 46, r: 10, t: 34, b: 38 },
    xaxis: { title: { text: 'step' } },
    yaxis: { title: { text: 'loss' } },
    legend: { orientation: 'h', y: -0.25 },
  }, CONFIG);
}
