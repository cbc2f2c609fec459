/** Shared helpers of the fused-kernel tests (test/kernels/wasm-*.test.ts): seeded inputs, differences, finite differences. */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src/util/rng';

export function randn(shape: number[], seed: number, std = 1): tf.Tensor {
  const rng = new Rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: n }, () => rng.normal() * std), shape, 'float32');
}

export function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  if (a.shape.join() !== b.shape.join()) throw new Error(`maxAbsDiff: shapes [${a.shape}] vs [${b.shape}]`);
  const x = a.dataSync(), y = b.dataSync();
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]));
  return m;
}

export function maxAbs(a: tf.Tensor): number {
  let m = 0;
  for (const v of a.dataSync()) m = Math.max(m, Math.abs(v));
  return m;
}

/**
 * Checks the gradients `grads` of the scalar function f at `xs` by central differences along `dirs` random directions
 * (all inputs moved together, u ~ N(0, I)): |Σ⟨gᵢ, uᵢ⟩ − (f(x + hu) − f(x − hu))/2h| relative to the larger of the two
 * and of ‖g‖, the typical size of ⟨g, u⟩ (a random direction can give a derivative near 0, where float32 rounding of f
 * would dominate a purely relative error). float32, so h is large and the tolerance loose; the tight check is against
 * the reference op.
 */
export function finiteDifferenceError(f: (...xs: tf.Tensor[]) => tf.Scalar, xs: tf.Tensor[], grads: tf.Tensor[], seed: number, dirs = 3, h = 1e-2): number {
  let worst = 0;
  const gNorm = Math.sqrt(grads.reduce((s, g) => s + g.square().sum().dataSync()[0], 0));
  for (let d = 0; d < dirs; d++) {
    const err = tf.tidy(() => {
      const us = xs.map((x, i) => randn(x.shape, seed * 100 + d * 10 + i));
      const plus = f(...xs.map((x, i) => x.add(us[i].mul(h)))).dataSync()[0];
      const minus = f(...xs.map((x, i) => x.sub(us[i].mul(h)))).dataSync()[0];
      const fd = (plus - minus) / (2 * h);
      const an = grads.reduce((s, g, i) => s + g.mul(us[i]).sum().dataSync()[0], 0);
      return Math.abs(fd - an) / Math.max(1e-6, gNorm, Math.abs(fd), Math.abs(an));
    });
    worst = Math.max(worst, err);
  }
  return worst;
}
