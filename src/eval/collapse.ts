/**
 * Collapse diagnostic for an attention-bias position encoding (SeqPE attn_bias, ALiBi, …).
 *
 * Softmax over a row of attention logits ignores any constant added to the whole row, so of a bias matrix b[i, j]
 * (query i, key j) only its within-row variation b[i, j] − mean_j b[i, j] can change attention. A SeqPE whose position
 * embeddings collapse towards one vector still produces a bias of sizeable overall spread (p_q·c differs from row to row)
 * whose within-row part is tiny: it behaves like NoPE. The diagnostic is
 *
 *   ratio = within-row std / overall std
 *   within-row std = sqrt( mean over all entries of (b[m, i, j] − mean_j b[m, i, j])² )
 *   overall std    = sqrt( mean over all entries of (b[m, i, j] − mean b)² )         (population std)
 *
 * over a stack of M square matrices (one per head; the head differences count towards the overall spread), the quantity
 * scripts/diagnose-seqpe.ts prints. Since the overall variance is the within-row variance plus the variance of the row
 * means (rows of equal length), 0 ≤ ratio ≤ 1: 0 = every row constant (the bias changes no attention), 1 = all rows have
 * the same mean (all of the spread is visible to softmax). A fully constant bias (overall std 0) carries no position
 * information at all and gets ratio 0.
 *
 * With `causal`, row i covers only the keys j ≤ i that a causal LM's query i attends to (both stds are then over those
 * entries; rows have unequal lengths, and the ratio is still in [0, 1] by the same decomposition with weighted rows).
 */
import * as tf from '@tensorflow/tfjs';
import type { PositionEncoding } from '../encodings/types';

export interface CollapseStats {
  withinRowStd: number;
  overallStd: number;
  /** withinRowStd / overallStd, 0 when overallStd is 0 (≤ 1 up to rounding). */
  ratio: number;
  /** Matrices (heads) and their side. */
  matrices: number;
  size: number;
}

export interface CollapseOptions {
  /** Only keys j ≤ i in row i (what a causal LM's attention sees). Default false (full rows, as diagnose-seqpe.ts). */
  causal?: boolean;
}

/**
 * The collapse statistics of `values`, M row-major size×size matrices back to back ([M, size, size], e.g. the [heads,
 * T, T] attention bias). Accumulates in float64.
 */
export function biasCollapse(values: ArrayLike<number>, size: number, opts: CollapseOptions = {}): CollapseStats {
  if (!Number.isInteger(size) || size < 1) throw new Error(`biasCollapse: size must be a positive integer, got ${size}`);
  const per = size * size;
  if (values.length === 0 || values.length % per !== 0) {
    throw new Error(`biasCollapse: ${values.length} values are not a whole number of ${size}×${size} matrices (${per} values each)`);
  }
  const matrices = values.length / per;
  const causal = opts.causal ?? false;
  let n = 0;
  let sum = 0;
  let within = 0; // Σ (b − row mean)²
  for (let m = 0; m < matrices; m++) {
    for (let i = 0; i < size; i++) {
      const row = m * per + i * size;
      const len = causal ? i + 1 : size;
      let rs = 0;
      for (let j = 0; j < len; j++) {
        const v = values[row + j];
        if (!Number.isFinite(v)) throw new Error(`biasCollapse: value ${v} at matrix ${m}, row ${i}, column ${j} is not finite`);
        rs += v;
      }
      const mean = rs / len;
      for (let j = 0; j < len; j++) within += (values[row + j] - mean) ** 2;
      sum += rs;
      n += len;
    }
  }
  const mean = sum / n;
  let total = 0;
  for (let m = 0; m < matrices; m++) {
    for (let i = 0; i < size; i++) {
      const row = m * per + i * size;
      const len = causal ? i + 1 : size;
      for (let j = 0; j < len; j++) total += (values[row + j] - mean) ** 2;
    }
  }
  const withinRowStd = Math.sqrt(within / n);
  const overallStd = Math.sqrt(total / n);
  const ratio = overallStd === 0 ? 0 : withinRowStd / overallStd;
  return { withinRowStd, overallStd, ratio, matrices, size };
}

export interface EncodingCollapse {
  /** Positions [0, trainLength): the training window. */
  inside: CollapseStats;
  /** Positions [trainLength, trainLength + beyondLength): never seen as a window start at training without shift. */
  beyond: CollapseStats;
  layer: number;
}

export interface EncodingCollapseOptions extends CollapseOptions {
  /** Length of the window beyond training. Default 3·trainLength (positions T…4T, as the LM runner's awareness). */
  beyondLength?: number;
  /** Which layer's bias (SeqPE attn_bias shares one projection across layers; ALiBi is the same in every layer). */
  layer?: number;
}

/** The attention bias of a 1-D window [start, start + length), [M, length, length] values, evaluation mode. */
function biasOf(enc: PositionEncoding, start: number, length: number, layer: number): Float32Array {
  const b = biasTensor(enc, start, length, layer);
  const v = b.dataSync() as Float32Array;
  b.dispose();
  return v;
}

/** biasOf with an asynchronous read (every engine). */
async function biasOfAsync(enc: PositionEncoding, start: number, length: number, layer: number): Promise<Float32Array> {
  const b = biasTensor(enc, start, length, layer);
  const v = (await b.data()) as Float32Array;
  b.dispose();
  return v;
}

function biasTensor(enc: PositionEncoding, start: number, length: number, layer: number): tf.Tensor {
  return tf.tidy(() => {
    const out = enc.apply({ kind: '1d', start, length }, { training: false });
    if (!out.attnBias) {
      throw new Error(`collapse: encoding '${enc.name}' gives no attention bias (only attention-bias encodings, e.g. SeqPE attn_bias or ALiBi, have one)`);
    }
    const b = out.attnBias(layer); // [heads | 1, length, length]
    if (b.shape[1] !== length || b.shape[2] !== length) {
      throw new Error(`collapse: attnBias(${layer}) has shape [${b.shape}], expected [heads, ${length}, ${length}] (a 1-D window without prefix)`);
    }
    return b;
  });
}

/** encodingCollapse with asynchronous reads: the same numbers, on every engine (webgpu cannot read synchronously). */
export async function encodingCollapseAsync(enc: PositionEncoding, trainLength: number, opts: EncodingCollapseOptions = {}): Promise<EncodingCollapse> {
  const { beyondLength, layer } = collapseArgs(trainLength, opts);
  const inside = biasCollapse(await biasOfAsync(enc, 0, trainLength, layer), trainLength, opts);
  const beyond = biasCollapse(await biasOfAsync(enc, trainLength, beyondLength, layer), beyondLength, opts);
  return { inside, beyond, layer };
}

function collapseArgs(trainLength: number, opts: EncodingCollapseOptions): { beyondLength: number; layer: number } {
  if (!Number.isInteger(trainLength) || trainLength < 2) throw new Error(`collapse: trainLength must be an integer ≥ 2, got ${trainLength}`);
  const beyondLength = opts.beyondLength ?? 3 * trainLength;
  if (!Number.isInteger(beyondLength) || beyondLength < 2) throw new Error(`collapse: beyondLength must be an integer ≥ 2, got ${beyondLength}`);
  const layer = opts.layer ?? 0;
  if (!Number.isInteger(layer) || layer < 0) throw new Error(`collapse: layer must be a non-negative integer, got ${layer}`);
  return { beyondLength, layer };
}

/** The collapse diagnostic of a 1-D attention-bias encoding inside and beyond its training window. */
export function encodingCollapse(enc: PositionEncoding, trainLength: number, opts: EncodingCollapseOptions = {}): EncodingCollapse {
  if (!Number.isInteger(trainLength) || trainLength < 2) throw new Error(`collapse: trainLength must be an integer ≥ 2, got ${trainLength}`);
  const beyondLength = opts.beyondLength ?? 3 * trainLength;
  if (!Number.isInteger(beyondLength) || beyondLength < 2) throw new Error(`collapse: beyondLength must be an integer ≥ 2, got ${beyondLength}`);
  const layer = opts.layer ?? 0;
  if (!Number.isInteger(layer) || layer < 0) throw new Error(`collapse: layer must be a non-negative integer, got ${layer}`);
  const inside = biasCollapse(biasOf(enc, 0, trainLength, layer), trainLength, opts);
  const beyond = biasCollapse(biasOf(enc, trainLength, beyondLength, layer), beyondLength, opts);
  return { inside, beyond, layer };
}
