/**
 * Resampling of position tables, with PyTorch F.interpolate semantics (align_corners=False, sizes given, no antialias):
 * what the official eval scripts do to a learned APE table before evaluating at a longer length / larger grid (§1.9).
 *
 * For output index i of a resize in → out, the source coordinate is x = (i + 0.5)·(in/out) − 0.5.
 * - linear: x is clamped to ≥ 0; taps ⌊x⌋ and min(⌊x⌋+1, in−1) with weights 1−λ, λ (λ = x − ⌊x⌋).
 * - bicubic (Keys kernel, a = −0.75): x is NOT clamped; taps ⌊x⌋−1 … ⌊x⌋+2, each index clamped to [0, in−1]
 *   (border replication), weights W(t+1), W(t), W(1−t), W(2−t) with t = x − ⌊x⌋ and
 *   W(s) = (a+2)|s|³ − (a+3)|s|² + 1 for |s| ≤ 1,  a|s|³ − 5a|s|² + 8a|s| − 4a for 1 < |s| < 2.
 * Both are written as fixed weights times the table (gather or matMul), so they are differentiable in the table.
 */
import * as tf from '@tensorflow/tfjs';
import { matMul } from '../kernels/index';

/** One output sample: the source indices it reads and their weights. */
export interface Taps {
  index: number[];
  weight: number[];
}

function checkSize(fn: string, what: string, n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new Error(`${fn}: ${what} must be a positive integer, got ${n}`);
}

/** Taps of a linear resize in → out (PyTorch mode='linear', align_corners=False). */
export function linearTaps(inSize: number, outSize: number): Taps[] {
  checkSize('linearTaps', 'inSize', inSize);
  checkSize('linearTaps', 'outSize', outSize);
  const scale = inSize / outSize;
  const out: Taps[] = [];
  for (let i = 0; i < outSize; i++) {
    const x = Math.max(0, (i + 0.5) * scale - 0.5);
    const i0 = Math.min(Math.floor(x), inSize - 1);
    const i1 = Math.min(i0 + 1, inSize - 1);
    const lam = x - i0;
    out.push({ index: [i0, i1], weight: [1 - lam, lam] });
  }
  return out;
}

/** Keys' cubic convolution kernel W(s) with parameter a (PyTorch uses a = −0.75). */
export function cubicKernel(s: number, a = -0.75): number {
  const x = Math.abs(s);
  if (x <= 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
  return 0;
}

/** Taps of a bicubic resize along one axis in → out (PyTorch mode='bicubic', align_corners=False). */
export function cubicTaps(inSize: number, outSize: number, a = -0.75): Taps[] {
  checkSize('cubicTaps', 'inSize', inSize);
  checkSize('cubicTaps', 'outSize', outSize);
  const scale = inSize / outSize;
  const out: Taps[] = [];
  for (let i = 0; i < outSize; i++) {
    const x = (i + 0.5) * scale - 0.5;
    const f = Math.floor(x);
    const t = x - f;
    const clamp = (j: number) => Math.min(Math.max(j, 0), inSize - 1);
    out.push({
      index: [clamp(f - 1), clamp(f), clamp(f + 1), clamp(f + 2)],
      weight: [cubicKernel(t + 1, a), cubicKernel(t, a), cubicKernel(1 - t, a), cubicKernel(2 - t, a)],
    });
  }
  return out;
}

/** Dense resampling matrix [out, in] (row i sums the taps of output i; clamped taps add up). */
export function tapsMatrix(taps: Taps[], inSize: number): Float32Array {
  const m = new Float32Array(taps.length * inSize);
  taps.forEach((tp, i) => tp.index.forEach((j, k) => (m[i * inSize + j] += tp.weight[k])));
  return m;
}

/**
 * Linear resize of a table x [n, d] along its rows to [outLen, d]. Gathers the two taps per row (O(outLen·d), cheap for
 * long LM windows) rather than a dense [outLen, n] product; differentiable in x (gather's gradient).
 */
export function resizeLinear1d(x: tf.Tensor2D, outLen: number): tf.Tensor2D {
  if (x.rank !== 2) throw new Error(`resizeLinear1d: expected a [n, d] table, got shape [${x.shape}]`);
  checkSize('resizeLinear1d', 'outLen', outLen);
  const n = x.shape[0];
  if (n === outLen) return x.clone();
  const taps = linearTaps(n, outLen);
  const i0 = Int32Array.from(taps, (t) => t.index[0]);
  const i1 = Int32Array.from(taps, (t) => t.index[1]);
  const w0 = Float32Array.from(taps, (t) => t.weight[0]);
  const w1 = Float32Array.from(taps, (t) => t.weight[1]);
  return tf.tidy(() => {
    const a = tf.gather(x, tf.tensor1d(i0, 'int32')).mul(tf.tensor2d(w0, [outLen, 1])); // [outLen, d]
    const b = tf.gather(x, tf.tensor1d(i1, 'int32')).mul(tf.tensor2d(w1, [outLen, 1]));
    return a.add(b) as tf.Tensor2D;
  });
}

/**
 * Bicubic resize of a grid x [rows, cols, d] to [outRows, outCols, d] (separable: rows, then columns), as PyTorch
 * F.interpolate(x as [1, d, rows, cols], mode='bicubic', align_corners=False). Dense [out, in] products: grids are small.
 * Differentiable in x. `a` is the kernel parameter (−0.75 as PyTorch; −0.5 is Keys' choice, the only one that
 * reproduces linear ramps exactly — with −0.75 a ramp comes out slightly wavy where the source phase t ∉ {0, ½}).
 */
export function resizeBicubic2d(x: tf.Tensor3D, outRows: number, outCols: number, a = -0.75): tf.Tensor3D {
  if (x.rank !== 3) throw new Error(`resizeBicubic2d: expected a [rows, cols, d] grid, got shape [${x.shape}]`);
  checkSize('resizeBicubic2d', 'outRows', outRows);
  checkSize('resizeBicubic2d', 'outCols', outCols);
  const [r, c, d] = x.shape;
  if (r === outRows && c === outCols) return x.clone();
  return tf.tidy(() => {
    const wr = tf.tensor2d(tapsMatrix(cubicTaps(r, outRows, a), r), [outRows, r]);
    const wc = tf.tensor2d(tapsMatrix(cubicTaps(c, outCols, a), c), [outCols, c]);
    const alongRows = matMul(wr, x.reshape([r, c * d])).reshape([outRows, c, d]); // [outRows, c, d]
    const colsFirst = alongRows.transpose([1, 0, 2]).reshape([c, outRows * d]); // [c, outRows·d]
    const both = matMul(wc, colsFirst).reshape([outCols, outRows, d]); // [outCols, outRows, d]
    return both.transpose([1, 0, 2]) as tf.Tensor3D; // [outRows, outCols, d]
  });
}
