/** Host-side argument checks shared by every kernel set, so a bad input gets the same clear error on any engine. */
import * as tf from '@tensorflow/tfjs';
import type { IntArrayLike } from './types';

/** Throws unless every id is an integer in [0, vocab). */
export function checkTokenIds(ids: ArrayLike<number>, vocab: number, what = 'token'): void {
  for (let i = 0; i < ids.length; i++) {
    const t = ids[i];
    if (!(Number.isInteger(t) && t >= 0 && t < vocab)) throw new Error(`${what} id ${t} at index ${i} is outside [0, ${vocab})`);
  }
}

export function checkRate(rate: number, what: string): void {
  if (!(rate > 0 && rate < 1)) throw new Error(`${what}: rate must be in (0, 1), got ${rate}`);
}

export function checkSeed(seed: number, what: string): void {
  if (!Number.isInteger(seed)) throw new Error(`${what}: seed must be an integer, got ${seed}`);
}

/** Rank-3/4 operands with equal batch dims, matching inner dims, float32. */
export function checkBatchOperands(a: tf.Tensor, b: tf.Tensor): void {
  if (a.rank !== b.rank || (a.rank !== 3 && a.rank !== 4)) {
    throw new Error(`batchMatMul: operands must both be rank 3 or both rank 4, got [${a.shape}] and [${b.shape}]`);
  }
  for (let i = 0; i < a.rank - 2; i++) {
    if (a.shape[i] !== b.shape[i]) throw new Error(`batchMatMul: batch dims differ, [${a.shape}] vs [${b.shape}] (no broadcasting)`);
  }
  if (a.shape[a.rank - 1] !== b.shape[b.rank - 2]) {
    throw new Error(`batchMatMul: inner dims differ, [${a.shape}] @ [${b.shape}]`);
  }
  if (a.dtype !== 'float32' || b.dtype !== 'float32') throw new Error(`batchMatMul: float32 only, got ${a.dtype} and ${b.dtype}`);
}

export function checkLinear(x: tf.Tensor, w: tf.Tensor2D, b: tf.Tensor1D | undefined): void {
  const [inDim, outDim] = w.shape;
  if (w.rank !== 2) throw new Error(`linear: weight must be [in, out], got [${w.shape}]`);
  if (x.rank < 1 || x.shape[x.rank - 1] !== inDim) throw new Error(`linear: input last dim ${x.shape[x.rank - 1]} does not match weight [${w.shape}]`);
  if (b && (b.rank !== 1 || b.shape[0] !== outDim)) throw new Error(`linear: bias shape [${b.shape}] does not match weight [${w.shape}]`);
}

export function checkLayerNorm(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps: number): void {
  const d = x.shape[x.rank - 1];
  if (gamma.shape[0] !== d || beta.shape[0] !== d) throw new Error(`layerNorm: gain/bias [${gamma.shape}]/[${beta.shape}] do not match width ${d}`);
  if (!(eps > 0) || !Number.isFinite(eps)) throw new Error(`layerNorm: eps must be a finite number > 0, got ${eps}`);
}

export function checkGatherRows(x: tf.Tensor2D, idx: Int32Array): void {
  if (x.rank !== 2) throw new Error(`gatherRows: x must be [rows, cols], got [${x.shape}]`);
  const R = x.shape[0];
  for (let i = 0; i < idx.length; i++) {
    if (!(idx[i] >= 0 && idx[i] < R)) throw new Error(`gatherRows: index ${idx[i]} at ${i} is outside [0, ${R})`);
  }
}

/** Cross-entropy inputs after checking: host targets and weights normalised to sum 1 (undefined: plain mean). */
export interface CrossEntropyInputs {
  n: number;
  v: number;
  targets: Int32Array;
  weights?: Float32Array;
}

function toIntArray(v: IntArrayLike | tf.Tensor, what: string): Int32Array {
  if (v instanceof tf.Tensor) {
    if (v.dtype !== 'int32') throw new Error(`${what}: expected an int32 tensor, got ${v.dtype}`);
    return v.dataSync() as Int32Array;
  }
  return v instanceof Int32Array ? v : Int32Array.from(v);
}

export function checkCrossEntropy(
  logits: tf.Tensor2D,
  targets: IntArrayLike | tf.Tensor,
  weights: Float32Array | readonly number[] | tf.Tensor | undefined,
): CrossEntropyInputs {
  if (logits.rank !== 2) throw new Error(`softmaxCrossEntropy: logits must be [N, V], got shape [${logits.shape}]`);
  const [n, v] = logits.shape;
  const t = toIntArray(targets, 'softmaxCrossEntropy targets');
  if (t.length !== n) throw new Error(`softmaxCrossEntropy: ${t.length} targets for ${n} rows of logits`);
  for (let i = 0; i < n; i++) {
    if (!(t[i] >= 0 && t[i] < v)) throw new Error(`softmaxCrossEntropy: target[${i}] = ${t[i]} is outside [0, ${v})`);
  }
  if (weights === undefined) return { n, v, targets: t };
  const w = weights instanceof tf.Tensor ? new Float32Array(weights.dataSync()) : Float32Array.from(weights);
  if (w.length !== n) throw new Error(`softmaxCrossEntropy: ${w.length} weights for ${n} rows`);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    if (!(w[i] >= 0) || !Number.isFinite(w[i])) throw new Error(`softmaxCrossEntropy: weight[${i}] = ${w[i]} is not a finite number ≥ 0`);
    sum += w[i];
  }
  if (!(sum > 0)) throw new Error('softmaxCrossEntropy: all weights are zero (no target token to learn from)');
  for (let i = 0; i < n; i++) w[i] /= sum;
  return { n, v, targets: t, weights: w };
}
