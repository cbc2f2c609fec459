/**
 * What the encodings panel draws, computed with the library's own measures (src/eval/similarity.ts), so the page shows
 * the numbers the reproduction reports:
 * - the map: for encodings with raw position vectors (SeqPE, APE, sinusoidal) the library's dot-product map pe·peᵀ, or
 *   its cosine form cos_ij = m_ij / √(m_ii·m_jj); for encodings that act inside attention (RoPE, RoPE-2D, RoPE-mixed,
 *   ALiBi) the library's 'applied' map, the relative q·k score of content-free queries and keys (cosine does not apply);
 * - distance awareness: the library's distanceAwareness on the shown map, on the training window or grid ("inside") and
 *   on the part beyond it — the same sub-map slicing as src/experiments/runners/common.ts awarenessOn (1-D) and the ViT
 *   runner (2-D: the training grid, and the largest grid as a whole).
 * Runs in Node and in the browser (no DOM): test/explorer/maps.test.ts checks it against the runners' own route.
 */
import {
  distanceAwareness, gridRow, layoutPositions, similarityMap,
  type ModelDims, type PositionEncoding, type PositionLayout, type SimilarityMap,
} from './lib';

export type Metric = 'cosine' | 'dot';

export interface MapView {
  /** Row-major values of the shown map (1-D: [n, n]; 2-D: the query patch's row as [side, side]). */
  rows: number[][];
  /** What the numbers are, for the caption. */
  description: string;
  /** The metric actually used: raw-vector encodings honour the request; attention-side ones give 'q·k' or 'bias'. */
  metric: Metric | 'applied';
  awareness: { inside: number; beyond: number };
  /** Training extent the boundary marks: 1-D length T, or 2-D grid side. */
  boundary: number;
}

/** The library's map of `layout`: raw dot products where the encoding has vectors, the applied score otherwise. */
export function libraryMap(enc: PositionEncoding, layout: PositionLayout, dims: ModelDims): SimilarityMap {
  return enc.capabilities.rawVectors
    ? similarityMap(enc, layout, { source: 'raw' })
    : similarityMap(enc, layout, { source: 'applied', dims, layer: 0 });
}

/** cos_ij = m_ij / √(m_ii·m_jj) of a dot-product map; a zero vector (m_ii = 0) is an error, not a silent 0 or NaN. */
export function cosineOf(map: SimilarityMap): SimilarityMap {
  const n = map.size;
  const norms = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const d = map.values[i * n + i];
    if (!(d > 0)) throw new Error(`cosine similarity: position vector ${i} has squared norm ${d}; cosine is undefined for it`);
    norms[i] = Math.sqrt(d);
  }
  const out = new Float32Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[i * n + j] = map.values[i * n + j] / (norms[i] * norms[j]);
  return { values: out, size: n, description: map.description.replace('dot products', 'cosine similarity') };
}

/** Awareness of the square sub-map of tokens [from, to) (awarenessOn in src/experiments/runners/common.ts). */
export function awarenessOfRange(map: SimilarityMap, layout: PositionLayout, from: number, to: number, causal = false): number {
  const coords = layoutPositions(layout);
  const n = to - from;
  const sub = new Float32Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) sub[i * n + j] = map.values[(from + i) * map.size + from + j];
  return distanceAwareness({ values: sub, size: n, description: map.description }, coords.slice(from, to), { causal });
}

function shown(enc: PositionEncoding, map: SimilarityMap, metric: Metric): { map: SimilarityMap; metric: MapView['metric'] } {
  if (!enc.capabilities.rawVectors) return { map, metric: 'applied' };
  return metric === 'cosine' ? { map: cosineOf(map), metric } : { map, metric };
}

function toRows(values: Float32Array, n: number): number[][] {
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) rows.push(Array.from(values.subarray(i * n, (i + 1) * n)));
  return rows;
}

/**
 * 1-D: positions [0, extent) (4T in the reproduction), boundary at the training length T. `causal`: each row scores only
 * the keys a causal LM lets it see, as the LM runner does; an encoder trained alone has no such restriction.
 */
export function view1d(enc: PositionEncoding, dims: ModelDims, trainLength: number, extent: number, metric: Metric, causal = false): MapView {
  if (!(Number.isInteger(trainLength) && trainLength >= 2 && Number.isInteger(extent) && extent > trainLength + 1)) {
    throw new Error(`view1d: need integers 2 ≤ trainLength < extent − 1, got trainLength ${trainLength}, extent ${extent}`);
  }
  const layout: PositionLayout = { kind: '1d', start: 0, length: extent };
  const s = shown(enc, libraryMap(enc, layout, dims), metric);
  return {
    rows: toRows(s.map.values, extent),
    description: s.map.description,
    metric: s.metric,
    awareness: {
      inside: awarenessOfRange(s.map, layout, 0, trainLength, causal),
      beyond: awarenessOfRange(s.map, layout, trainLength, extent, causal),
    },
    boundary: trainLength,
  };
}

/**
 * 2-D: the similarity of every patch of a side×side grid to the query patch, boundary at the training grid; awareness on
 * the training grid's own map (inside) and on the whole large grid (beyond), as the ViT runner reports them. The ViT's
 * CLS token is the layout's prefix (excluded from every map).
 */
export function view2d(
  enc: PositionEncoding, dims: ModelDims, trainSide: number, side: number, query: [number, number], metric: Metric, prefix = 1,
): MapView {
  if (!(Number.isInteger(trainSide) && trainSide >= 2 && Number.isInteger(side) && side > trainSide)) {
    throw new Error(`view2d: need integers 2 ≤ trainSide < side, got trainSide ${trainSide}, side ${side}`);
  }
  const big: PositionLayout = { kind: '2d', start: [0, 0], rows: side, cols: side, prefix };
  const small: PositionLayout = { kind: '2d', start: [0, 0], rows: trainSide, cols: trainSide, prefix };
  const sb = shown(enc, libraryMap(enc, big, dims), metric);
  const ss = shown(enc, libraryMap(enc, small, dims), metric);
  return {
    rows: gridRow(sb.map, big, query),
    description: `${sb.map.description}; similarity to patch (${query[0]}, ${query[1]})`,
    metric: sb.metric,
    awareness: { inside: awarenessOfRange(ss.map, small, 0, trainSide * trainSide), beyond: awarenessOfRange(sb.map, big, 0, side * side) },
    boundary: trainSide,
  };
}
