/**
 * Position-embedding similarity maps (the paper's heatmaps, spec §3), for ANY encoding through its one interface.
 *
 * What "similarity" means depends on how the encoding enters the model, so the map is the part of the attention
 * logit (or of the input) that depends on position alone:
 * - 'raw': dot products of the raw position vectors (`vectors.main`, where capabilities.rawVectors) — SeqPE's encoder
 *   outputs, or the added table of input-level encodings (APE, sinusoidal). This is the paper's `pe · peᵀ`.
 * - 'applied': what layer `layer` of the model sees — the additive bias (ALiBi, SeqPE attn_bias), or for q/k transforms
 *   (RoPE, RoPE-2D, RoPE-mixed, SeqPE gates) the logit between constant all-ones queries and keys after the transform,
 *   i.e. the positional modulation of a content-free attention score. Averaged over heads.
 */
import * as tf from '@tensorflow/tfjs';
import { matMul } from '../kernels/index';
import { layoutSize, PositionEncoding, PositionLayout, ModelDims } from '../encodings/types';

export type SimilaritySource = 'raw' | 'applied';

export interface SimilarityOptions {
  source?: SimilaritySource;
  /** Layer whose bias/transform is shown for source 'applied'. */
  layer?: number;
  /** Needed for q/k transforms: the model's heads and width. */
  dims?: ModelDims;
}

export interface SimilarityMap {
  /** Row-major [T, T] similarities between positioned tokens (prefix tokens excluded). */
  values: Float32Array;
  size: number;
  /** What was measured, for captions. */
  description: string;
}

/** [T, T] similarity map of the positioned tokens of `layout`. */
export function similarityMap(enc: PositionEncoding, layout: PositionLayout, opts: SimilarityOptions = {}): SimilarityMap {
  const result = similarityTensor(enc, layout, opts);
  const values = result.m.dataSync() as Float32Array;
  result.m.dispose();
  return { values: Float32Array.from(values), size: result.size, description: result.what };
}

/** The map as a device tensor [T, T] (caller reads and disposes it), its size and caption. */
function similarityTensor(enc: PositionEncoding, layout: PositionLayout, opts: SimilarityOptions): { m: tf.Tensor2D; size: number; what: string } {
  const source = opts.source ?? 'raw';
  const layer = opts.layer ?? 0;
  const n = layoutSize(layout);
  const prefix = layout.prefix ?? 0;
  const result = tf.tidy(() => {
    const out = enc.apply(layout, { training: false });
    const rawVectors = out.vectors?.main;
    if (source === 'raw') {
      if (!enc.capabilities.rawVectors || !rawVectors) {
        throw new Error(
          `encoding '${enc.name}' has no position vectors to compare (it acts inside attention); use source 'applied'`,
        );
      }
      const e = rawVectors as tf.Tensor2D; // [T, D]
      return { m: matMul(e, e.transpose()) as tf.Tensor2D, what: `${enc.name}: dot products of position vectors` };
    }
    if (out.attnBias) {
      const b = out.attnBias(layer); // [H|1, P+T, P+T]
      const pos = b.slice([0, prefix, prefix], [-1, n, n]).mean(0) as tf.Tensor2D;
      return { m: pos, what: `${enc.name}: additive attention bias, layer ${layer}, mean over heads` };
    }
    if (out.qk) {
      if (!opts.dims) throw new Error(`similarityMap(source 'applied') for '${enc.name}' needs opts.dims (heads, dModel)`);
      const { heads, dModel } = opts.dims;
      const dh = dModel / heads;
      const ones = tf.ones([1, heads, prefix + n, dh]) as tf.Tensor4D; // content-free queries and keys
      const [q, k] = out.qk(layer, ones, ones);
      const logits = matMul(q, k.transpose([0, 1, 3, 2])); // [1, H, P+T, P+T]
      const pos = logits.slice([0, 0, prefix, prefix], [1, -1, n, n]).mean([0, 1]) as tf.Tensor2D;
      return { m: pos, what: `${enc.name}: q·k of all-ones content after the position transform, layer ${layer}, mean over heads` };
    }
    if (out.inputAdd && rawVectors) {
      const e = rawVectors as tf.Tensor2D;
      return { m: matMul(e, e.transpose()) as tf.Tensor2D, what: `${enc.name}: dot products of the added position vectors` };
    }
    throw new Error(`encoding '${enc.name}' carries no position information, so it has no similarity map`);
  });
  return { ...result, size: n };
}

/** similarityMap with an asynchronous read: the same values, on every engine (webgpu cannot read synchronously). */
export async function similarityMapAsync(enc: PositionEncoding, layout: PositionLayout, opts: SimilarityOptions = {}): Promise<SimilarityMap> {
  const m = similarityTensor(enc, layout, opts);
  const values = (await m.m.data()) as Float32Array;
  m.m.dispose();
  return { values: Float32Array.from(values), size: m.size, description: m.what };
}

/** One row of a map, reshaped to the 2-D grid: the similarity of every patch to the query patch (row, col). */
export function gridRow(map: SimilarityMap, layout: PositionLayout, query: [number, number]): number[][] {
  if (layout.kind !== '2d') throw new Error('gridRow needs a 2-D layout');
  const [r, c] = query;
  if (r < 0 || r >= layout.rows || c < 0 || c >= layout.cols) {
    throw new Error(`query patch (${r}, ${c}) is outside the ${layout.rows}×${layout.cols} grid`);
  }
  const q = r * layout.cols + c;
  const grid: number[][] = [];
  for (let i = 0; i < layout.rows; i++) {
    const row: number[] = [];
    for (let j = 0; j < layout.cols; j++) row.push(map.values[q * map.size + i * layout.cols + j]);
    grid.push(row);
  }
  return grid;
}

/** The map as nested rows (for plotting). */
export function toRows(map: SimilarityMap): number[][] {
  const rows: number[][] = [];
  for (let i = 0; i < map.size; i++) rows.push(Array.from(map.values.subarray(i * map.size, (i + 1) * map.size)));
  return rows;
}

function ranks(a: number[]): number[] {
  const idx = a.map((v, i) => [v, i] as [number, number]).sort((x, y) => x[0] - y[0]);
  const r = new Array<number>(a.length);
  let i = 0;
  while (i < idx.length) {
    let j = i;
    while (j + 1 < idx.length && idx[j + 1][0] === idx[i][0]) j++;
    const avg = (i + j) / 2; // ties share their mean rank
    for (let k = i; k <= j; k++) r[idx[k][1]] = avg;
    i = j + 1;
  }
  return r;
}

/** Spearman rank correlation of two equal-length samples (NaN when either is constant). */
export function spearman(a: number[], b: number[]): number {
  if (a.length !== b.length) throw new Error(`spearman: lengths differ (${a.length} vs ${b.length})`);
  const ra = ranks(a);
  const rb = ranks(b);
  const n = a.length;
  const ma = ra.reduce((s, v) => s + v, 0) / n;
  const mb = rb.reduce((s, v) => s + v, 0) / n;
  let num = 0;
  let da = 0;
  let db = 0;
  for (let i = 0; i < n; i++) {
    num += (ra[i] - ma) * (rb[i] - mb);
    da += (ra[i] - ma) ** 2;
    db += (rb[i] - mb) ** 2;
  }
  return da === 0 || db === 0 ? NaN : num / Math.sqrt(da * db);
}

/**
 * Distance awareness of a map: the mean over query rows of the Spearman correlation between similarity and NEGATIVE
 * distance to the query (1 = similarity falls strictly with distance, 0 = unrelated). `coords` are the positions of the
 * map's rows (1-D: [t], 2-D: [r, c]); the query itself is excluded from its row. With `causal`, a row only compares the
 * keys a causal model lets it see (j < q) — the only part of an ALiBi or causal-LM map that can matter.
 */
export function distanceAwareness(map: SimilarityMap, coords: number[][], opts: { causal?: boolean } = {}): number {
  if (coords.length !== map.size) throw new Error(`distanceAwareness: ${coords.length} coordinates for a map of size ${map.size}`);
  let total = 0;
  let rows = 0;
  for (let q = 0; q < map.size; q++) {
    const sims: number[] = [];
    const negDist: number[] = [];
    for (let j = 0; j < map.size; j++) {
      if (j === q || (opts.causal && j > q)) continue;
      sims.push(map.values[q * map.size + j]);
      let d2 = 0;
      for (let k = 0; k < coords[q].length; k++) d2 += (coords[q][k] - coords[j][k]) ** 2;
      negDist.push(-Math.sqrt(d2));
    }
    const rho = spearman(sims, negDist);
    if (!Number.isNaN(rho)) {
      total += rho;
      rows++;
    }
  }
  return rows === 0 ? NaN : total / rows;
}
