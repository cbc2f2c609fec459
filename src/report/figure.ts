/**
 * Plotly figure specs as plain data, and pure helpers that build the project's three kinds of figure:
 * line charts (a metric vs length/resolution, one trace per method, error bars for the spread over seeds),
 * heatmaps (position-similarity maps) and multi-panel grids of either.
 *
 * Nothing here renders: a Figure is JSON that render.ts turns into PNG/HTML and notebook.ts shows inline, and that
 * JupyterLab's plotly renderer can draw from the notebook file itself.
 *
 * Why one file of ~400 lines: the three builders share the Figure/Axis types, the log-axis tick helpers and the trace
 * styling options (dash patterns, markers), and a reader comparing two figure kinds wants them side by side; a split
 * along builders would scatter those shared rules across files.
 */

/** Values plotly accepts on an axis. `null` leaves a gap (a missing measurement). */
export type AxisValue = number | string | null;

/** One plotly trace. Only the fields the helpers set are typed; anything else plotly knows may be added. */
export interface Trace {
  type?: string;
  name?: string;
  x?: AxisValue[];
  y?: AxisValue[];
  z?: (number | null)[][];
  xaxis?: string;
  yaxis?: string;
  [key: string]: unknown;
}

export interface Axis {
  title?: { text: string };
  type?: 'linear' | 'log' | 'category';
  domain?: [number, number];
  anchor?: string;
  [key: string]: unknown;
}

export interface Layout {
  title?: { text: string };
  width?: number;
  height?: number;
  xaxis?: Axis;
  yaxis?: Axis;
  [key: string]: unknown;
}

/** A complete plotly figure: what `Plotly.newPlot(div, data, layout)` takes. */
export interface Figure {
  data: Trace[];
  layout: Layout;
}

/** Plotly's default colour cycle (D3 category10), so series colours do not depend on plotly's version. */
export const PALETTE: readonly string[] = [
  '#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf',
];

const DEFAULT_FONT = { family: 'DejaVu Sans, Arial, sans-serif', size: 13 };

function title(text: string | undefined): { text: string } | undefined {
  return text === undefined ? undefined : { text };
}

/** Drop undefined fields so specs stay small and JSON-stable. */
function compact<T extends Record<string, unknown>>(o: T): T {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}

function checkFinite(what: string, values: readonly (number | null)[], allowNull: boolean): void {
  values.forEach((v, i) => {
    if (v === null) {
      if (!allowNull) throw new Error(`${what}[${i}] is null; expected a finite number`);
    } else if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new Error(`${what}[${i}] is ${String(v)}; expected a finite number${allowNull ? ' or null (gap)' : ''}`);
    }
  });
}

/**
 * An x axis on a log scale whose ticks sit exactly on the given values (typically powers of two: 128, 256, …),
 * labelled with the plain numbers: plotly's own log ticks are decades, which say little about 2^k lengths.
 */
export function log2Axis(values: readonly number[], axisTitle?: string): Axis {
  checkFinite('log2Axis values', values, false);
  const ticks = [...new Set(values)].sort((a, b) => a - b);
  ticks.forEach((v) => {
    if (v <= 0) throw new Error(`log2Axis: value ${v} is not positive; a log axis needs x > 0`);
  });
  return compact({ type: 'log' as const, tickvals: ticks, ticktext: ticks.map(String), title: title(axisTitle) });
}

/**
 * A log axis with ticks at 1-2-5 × 10^k spanning the values, labelled with full numbers. Plotly's own minor log labels
 * print 20 and 200 as a bare "2", which misreads easily.
 */
export function log125Axis(values: readonly number[], axisTitle?: string): Axis {
  const v = values.filter((x) => Number.isFinite(x));
  v.forEach((x) => { if (x <= 0) throw new Error(`log125Axis: value ${x} is not positive; a log axis needs values > 0`); });
  if (v.length === 0) throw new Error('log125Axis: no finite values');
  const lo = Math.min(...v);
  const hi = Math.max(...v);
  const ticks: number[] = [];
  for (let e = Math.floor(Math.log10(lo)) - 1; e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of [1, 2, 5]) {
      const t = m * 10 ** e;
      if (t >= lo / 2.5 && t <= hi * 2.5) ticks.push(Number(t.toPrecision(12)));
    }
  }
  return compact({ type: 'log' as const, tickvals: ticks, ticktext: ticks.map((t) => String(t)), title: title(axisTitle) });
}

// ---------------------------------------------------------------------------------------------------------------------
// Line chart

export interface LineSeries {
  /** Legend name (usually the method). */
  name: string;
  x: number[];
  /** null = missing point (drawn as a gap). */
  y: (number | null)[];
  /** Half-height of the error bar at each point (the spread over seeds, see tables.ts meanSpread); omit for none. */
  spread?: (number | null)[];
  color?: string;
  dash?: 'solid' | 'dash' | 'dot' | 'dashdot';
}

export interface LineChartOptions {
  series: LineSeries[];
  title?: string;
  xTitle?: string;
  yTitle?: string;
  /** Log scale on x with ticks at the data's x values (for 2^k lengths / resolutions). */
  log2X?: boolean;
  logY?: boolean;
  /** Draw a marker at each point (default true: the points are measurements, the lines only guide the eye). */
  markers?: boolean;
  /** Vertical dotted line(s), e.g. at the training length, to mark where extrapolation starts. */
  vlines?: { x: number; label?: string }[];
  width?: number;
  height?: number;
}

/** Metric vs length (or resolution): one trace per series, error bars when a spread is given. */
export function lineChart(o: LineChartOptions): Figure {
  if (o.series.length === 0) throw new Error('lineChart: series is empty; expected at least one series');
  const allX: number[] = [];
  const data: Trace[] = o.series.map((s, i) => {
    if (s.x.length !== s.y.length) {
      throw new Error(`lineChart: series '${s.name}' has ${s.x.length} x values but ${s.y.length} y values`);
    }
    checkFinite(`lineChart '${s.name}' x`, s.x, false);
    checkFinite(`lineChart '${s.name}' y`, s.y, true);
    if (o.log2X) s.x.forEach((v) => { if (v <= 0) throw new Error(`lineChart: series '${s.name}' has x=${v}; log2X needs x > 0`); });
    if (o.logY) s.y.forEach((v) => { if (v !== null && v <= 0) throw new Error(`lineChart: series '${s.name}' has y=${v}; logY needs y > 0`); });
    allX.push(...s.x);
    const color = s.color ?? PALETTE[i % PALETTE.length];
    let error_y: Record<string, unknown> | undefined;
    if (s.spread !== undefined) {
      if (s.spread.length !== s.y.length) {
        throw new Error(`lineChart: series '${s.name}' has ${s.spread.length} spread values but ${s.y.length} y values`);
      }
      checkFinite(`lineChart '${s.name}' spread`, s.spread, true);
      s.spread.forEach((v, j) => {
        if (v !== null && v < 0) throw new Error(`lineChart: series '${s.name}' spread[${j}]=${v} is negative`);
      });
      error_y = { type: 'data', array: s.spread.map((v) => v ?? 0), visible: true, thickness: 1.5, width: 4, color };
    }
    return compact({
      type: 'scatter',
      mode: o.markers === false ? 'lines' : 'lines+markers',
      name: s.name,
      x: [...s.x],
      y: [...s.y],
      line: compact({ color, dash: s.dash, width: 2 }),
      marker: { color, size: 7 },
      error_y,
    });
  });
  const xaxis: Axis = o.log2X ? log2Axis(allX, o.xTitle) : compact({ title: title(o.xTitle) });
  const allY = o.series.flatMap((s) => s.y).filter((v): v is number => v !== null);
  const yaxis: Axis = o.logY && allY.length ? log125Axis(allY, o.yTitle) : compact({ title: title(o.yTitle) });
  const shapes = (o.vlines ?? []).map((v) => ({
    type: 'line', xref: 'x', yref: 'paper', x0: v.x, x1: v.x, y0: 0, y1: 1,
    line: { color: '#555', width: 1, dash: 'dot' },
  }));
  const annotations = (o.vlines ?? []).filter((v) => v.label).map((v) => ({
    // Inside the plot, top, right of the line: above the plot it would collide with a multi-panel title.
    // (Annotations on a log axis take log10(x); shapes take x itself.)
    x: o.log2X ? Math.log10(v.x) : v.x, xref: 'x', y: 1, yref: 'paper', xanchor: 'left', yanchor: 'top', xshift: 4,
    text: v.label, showarrow: false, font: { size: 11, color: '#555' },
  }));
  return {
    data,
    layout: compact({
      title: title(o.title),
      xaxis,
      yaxis,
      width: o.width,
      height: o.height,
      font: DEFAULT_FONT,
      legend: { orientation: 'v' },
      margin: { l: 70, r: 30, t: o.title ? 60 : 30, b: 60 },
      shapes: shapes.length ? shapes : undefined,
      annotations: annotations.length ? annotations : undefined,
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// Heatmap

export interface HeatmapOptions {
  /** z[row][col]; rows run along y, columns along x. null = blank cell. */
  z: (number | null)[][];
  /** Column labels (length = number of columns); default 0..cols-1. */
  x?: (number | string)[];
  /** Row labels (length = number of rows); default 0..rows-1. */
  y?: (number | string)[];
  title?: string;
  xTitle?: string;
  yTitle?: string;
  /** A plotly colour-scale name ('Viridis', 'RdBu', 'Blues', …) or explicit [[0,'#fff'],[1,'#000']] stops. */
  colorscale?: string | [number, string][];
  reverseScale?: boolean;
  /** Fixed colour range, e.g. [-1, 1] for cosine similarity, so panels are comparable. */
  zmin?: number;
  zmax?: number;
  colorbarTitle?: string;
  /** Matrix orientation: row 0 at the top (default true, as similarity matrices are usually printed). */
  rowsTopDown?: boolean;
  /** Square cells (default true: both axes index positions). */
  square?: boolean;
  width?: number;
  height?: number;
}

/** A heatmap, e.g. the cosine similarity between position embeddings (z[i][j] = sim(pos i, pos j)). */
export function heatmap(o: HeatmapOptions): Figure {
  const rows = o.z.length;
  if (rows === 0) throw new Error('heatmap: z has no rows; expected a non-empty matrix');
  const cols = o.z[0].length;
  if (cols === 0) throw new Error('heatmap: z[0] is empty; expected a non-empty matrix');
  o.z.forEach((r, i) => {
    if (r.length !== cols) throw new Error(`heatmap: z[${i}] has ${r.length} columns but z[0] has ${cols}; z must be rectangular`);
    checkFinite(`heatmap z[${i}]`, r, true);
  });
  if (o.x && o.x.length !== cols) throw new Error(`heatmap: x has ${o.x.length} labels but z has ${cols} columns`);
  if (o.y && o.y.length !== rows) throw new Error(`heatmap: y has ${o.y.length} labels but z has ${rows} rows`);
  if (o.zmin !== undefined && o.zmax !== undefined && !(o.zmin < o.zmax)) {
    throw new Error(`heatmap: zmin=${o.zmin} must be below zmax=${o.zmax}`);
  }
  const trace: Trace = compact({
    type: 'heatmap',
    z: o.z.map((r) => [...r]),
    x: o.x ? [...o.x] : undefined,
    y: o.y ? [...o.y] : undefined,
    colorscale: o.colorscale ?? 'Viridis',
    reversescale: o.reverseScale,
    zmin: o.zmin,
    zmax: o.zmax,
    colorbar: compact({ title: title(o.colorbarTitle) }),
  });
  const square = o.square !== false;
  return {
    data: [trace],
    layout: compact({
      title: title(o.title),
      xaxis: compact({ title: title(o.xTitle), constrain: square ? 'domain' : undefined }),
      yaxis: compact({
        title: title(o.yTitle),
        autorange: o.rowsTopDown === false ? undefined : 'reversed',
        scaleanchor: square ? 'x' : undefined,
        constrain: square ? 'domain' : undefined,
      }),
      width: o.width,
      height: o.height,
      font: DEFAULT_FONT,
      margin: { l: 70, r: 30, t: o.title ? 60 : 30, b: 60 },
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// Multi-panel

export interface MultiPanelOptions {
  /** Panels per row (default: all in one row). */
  columns?: number;
  /** One title per panel; default: each panel's own layout title. */
  titles?: (string | undefined)[];
  title?: string;
  /** Gaps between panels as fractions of the figure (defaults: hgap 0.08, or 0.14 with heatmap colour bars; vgap 0.12). */
  hgap?: number;
  vgap?: number;
  width?: number;
  height?: number;
}

function axisName(kind: 'x' | 'y', k: number): { trace: string; layout: string } {
  return k === 1 ? { trace: kind, layout: `${kind}axis` } : { trace: `${kind}${k}`, layout: `${kind}axis${k}` };
}

/** Re-point an axis reference of a panel-level shape/annotation (`'x'`, `'x domain'`, `'paper'`) to panel k's axes. */
function remapRef(ref: unknown, kind: 'x' | 'y', k: number): unknown {
  if (ref === undefined || ref === kind) return axisName(kind, k).trace;
  if (ref === `${kind} domain`) return `${axisName(kind, k).trace} domain`;
  if (ref === 'paper') return `${axisName(kind, k).trace} domain`;
  throw new Error(`multiPanel: panel ${k} refers to axis '${String(ref)}'; panels must use a single x/y axis pair`);
}

/**
 * Several single-axis figures side by side (row-major grid). Axes, shapes and annotations are re-pointed to each
 * panel's own axes; a legend entry that repeats across panels (same trace name, e.g. one method in each panel) is shown
 * once and toggles all its traces together; heatmap colour bars are placed beside their own panel.
 */
export function multiPanel(panels: Figure[], o: MultiPanelOptions = {}): Figure {
  const n = panels.length;
  if (n === 0) throw new Error('multiPanel: no panels given');
  const columns = o.columns ?? n;
  if (!Number.isInteger(columns) || columns < 1) throw new Error(`multiPanel: columns=${columns}; expected a positive integer`);
  if (o.titles && o.titles.length !== n) throw new Error(`multiPanel: ${o.titles.length} titles for ${n} panels`);
  const rows = Math.ceil(n / columns);
  // A heatmap's colour bar sits in the gap right of its panel: leave it room before the next panel's y title.
  const hasColorbar = panels.some((p) => p.data.some((t) => t.type === 'heatmap'));
  const hgap = o.hgap ?? (hasColorbar ? 0.14 : 0.08);
  const vgap = o.vgap ?? 0.12;
  if (!(hgap >= 0 && hgap * (columns - 1) < 1)) throw new Error(`multiPanel: hgap=${hgap} leaves no room for ${columns} columns`);
  if (!(vgap >= 0 && vgap * (rows - 1) < 1)) throw new Error(`multiPanel: vgap=${vgap} leaves no room for ${rows} rows`);
  const w = (1 - hgap * (columns - 1)) / columns;
  const h = (1 - vgap * (rows - 1)) / rows;

  const data: Trace[] = [];
  const layout: Layout = compact({
    title: title(o.title),
    width: o.width,
    height: o.height,
    font: DEFAULT_FONT,
    margin: { l: 70, r: 30, t: o.title ? 90 : 60, b: 60 },
  });
  const annotations: Record<string, unknown>[] = [];
  const shapes: Record<string, unknown>[] = [];
  const seenLegend = new Set<string>();

  panels.forEach((p, idx) => {
    const k = idx + 1;
    const r = Math.floor(idx / columns);
    const c = idx % columns;
    const xd: [number, number] = [c * (w + hgap), c * (w + hgap) + w];
    const yTop = 1 - r * (h + vgap);
    const yd: [number, number] = [yTop - h, yTop];
    const X = axisName('x', k);
    const Y = axisName('y', k);
    for (const key of Object.keys(p.layout)) {
      if (/^[xy]axis\d+$/.test(key)) throw new Error(`multiPanel: panel ${k} already has '${key}'; panels must be single-axis figures`);
    }
    const xa: Axis = { ...(p.layout.xaxis ?? {}), domain: xd, anchor: Y.trace };
    const ya: Axis = { ...(p.layout.yaxis ?? {}), domain: yd, anchor: X.trace };
    if (ya.scaleanchor !== undefined) ya.scaleanchor = X.trace;
    layout[X.layout] = xa;
    layout[Y.layout] = ya;

    for (const t of p.data) {
      if ((t.xaxis && t.xaxis !== 'x') || (t.yaxis && t.yaxis !== 'y')) {
        throw new Error(`multiPanel: a trace of panel ${k} uses axes ${t.xaxis}/${t.yaxis}; panels must be single-axis figures`);
      }
      const copy: Trace = { ...t, xaxis: X.trace, yaxis: Y.trace };
      if (t.type === 'heatmap') {
        // Colour bar right of its own panel, as tall as the panel.
        copy.colorbar = { ...((t.colorbar as object) ?? {}), x: xd[1] + 0.01, xanchor: 'left', y: (yd[0] + yd[1]) / 2, len: h, thickness: 12 };
      } else if (t.name !== undefined) {
        copy.legendgroup = t.name;
        copy.showlegend = !seenLegend.has(t.name);
        seenLegend.add(t.name);
      }
      data.push(copy);
    }
    const panelTitle = o.titles ? o.titles[idx] : p.layout.title?.text;
    if (panelTitle) {
      annotations.push({
        text: `<b>${panelTitle}</b>`, showarrow: false, xref: 'paper', yref: 'paper',
        x: (xd[0] + xd[1]) / 2, y: yd[1], xanchor: 'center', yanchor: 'bottom', font: { size: 14 },
      });
    }
    for (const a of (p.layout.annotations as Record<string, unknown>[] | undefined) ?? []) {
      annotations.push({ ...a, xref: remapRef(a.xref, 'x', k), yref: remapRef(a.yref, 'y', k) });
    }
    for (const s of (p.layout.shapes as Record<string, unknown>[] | undefined) ?? []) {
      shapes.push({ ...s, xref: remapRef(s.xref, 'x', k), yref: remapRef(s.yref, 'y', k) });
    }
  });
  if (annotations.length) layout.annotations = annotations;
  if (shapes.length) layout.shapes = shapes;
  return { data, layout };
}

/** A copy of the figure with a fixed pixel size (used for PNG export and consistent notebook output). */
export function withSize(fig: Figure, width: number, height: number): Figure {
  return { data: fig.data, layout: { ...fig.layout, width, height } };
}

/** Throws a clear Error when `fig` is not shaped like a plotly figure (data array + layout object). */
export function assertFigure(fig: unknown): asserts fig is Figure {
  const f = fig as Partial<Figure> | null;
  if (!f || typeof f !== 'object') throw new Error(`expected a plotly figure {data, layout}, got ${String(fig)}`);
  if (!Array.isArray(f.data)) throw new Error('expected a plotly figure: its `data` must be an array of traces');
  if (f.layout !== undefined && (typeof f.layout !== 'object' || f.layout === null)) {
    throw new Error('expected a plotly figure: its `layout` must be an object');
  }
}

/**
 * Rounds a matrix to about 1/2000 of its value range: a heatmap's stored JSON stays small, its picture unchanged.
 */
export function compactRows(z: number[][]): number[][] {
  const flat = z.flat();
  const range = Math.max(...flat) - Math.min(...flat) || 1;
  const decimals = Math.max(0, Math.ceil(-Math.log10(range / 2000)));
  return z.map((row) => row.map((v) => Number(v.toFixed(decimals))));
}

// ---------------------------------------------------------------------------------------------------------------------
// Downsampling heatmaps for the interactive copy

/** Block means along one axis: `values` cut into consecutive blocks of `block`; the last block may be shorter. */
function blockLabels(labels: AxisValue[] | undefined, n: number, block: number): AxisValue[] | undefined {
  if (!labels) return undefined;
  if (labels.length !== n) throw new Error(`downsampleHeatmaps: ${labels.length} axis labels for ${n} cells`);
  const out: AxisValue[] = [];
  for (let a = 0; a < n; a += block) {
    const part = labels.slice(a, a + block);
    // Numeric labels (positions) become the block's centre; categories keep the block's first label.
    out.push(part.every((v) => typeof v === 'number') ? (part as number[]).reduce((s, v) => s + v, 0) / part.length : part[0]);
  }
  return out;
}

/** Block-average a matrix with square blocks of side `block` (null cells are left out of a mean; all-null → null). */
export function blockAverage(z: (number | null)[][], block: number): (number | null)[][] {
  if (!Number.isInteger(block) || block < 1) throw new Error(`blockAverage: block=${block}; expected a positive integer`);
  const rows = z.length;
  const cols = rows ? z[0].length : 0;
  z.forEach((r, i) => { if (r.length !== cols) throw new Error(`blockAverage: row ${i} has ${r.length} cells, row 0 has ${cols}`); });
  const out: (number | null)[][] = [];
  for (let i = 0; i < rows; i += block) {
    const row: (number | null)[] = [];
    for (let j = 0; j < cols; j += block) {
      let s = 0;
      let c = 0;
      for (let a = i; a < Math.min(rows, i + block); a++) {
        for (let b = j; b < Math.min(cols, j + block); b++) {
          const v = z[a][b];
          if (v !== null) { s += v; c++; }
        }
      }
      row.push(c ? s / c : null);
    }
    out.push(row);
  }
  return out;
}

/**
 * A copy of the figure whose heatmaps have at most `maxSide` cells per side: each is block-averaged with the smallest
 * square block that gets there (the same block for every heatmap, so panels stay comparable), its axis labels
 * averaged alike, and the title says so. Figures without a larger heatmap come back unchanged (`block` 1).
 */
export function downsampleHeatmaps(fig: Figure, maxSide = 200): { figure: Figure; block: number } {
  if (!Number.isInteger(maxSide) || maxSide < 1) throw new Error(`downsampleHeatmaps: maxSide=${maxSide}; expected a positive integer`);
  const side = Math.max(0, ...fig.data.filter((t) => t.type === 'heatmap' && t.z).map((t) => Math.max(t.z!.length, t.z![0]?.length ?? 0)));
  const block = Math.max(1, Math.ceil(side / maxSide));
  if (block === 1) return { figure: fig, block };
  const data = fig.data.map((t) => {
    if (t.type !== 'heatmap' || !t.z) return t;
    const rows = t.z.length;
    const cols = t.z[0]?.length ?? 0;
    return compact({
      ...t,
      z: blockAverage(t.z, block).map((r) => r.map((v) => (v === null ? null : Number(v.toPrecision(4))))),
      x: blockLabels(t.x, cols, block),
      y: blockLabels(t.y, rows, block),
    });
  });
  const note = `interactive copy: heatmaps block-averaged ${block}×${block} (≤ ${maxSide} cells per side); the PNG is full size`;
  const old = fig.layout.title?.text;
  return { figure: { data, layout: { ...fig.layout, title: { text: old ? `${old}<br><sub>${note}</sub>` : note } } }, block };
}
