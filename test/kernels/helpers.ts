/** Shared test helpers for the kernel tests: seeded inputs, max differences, finite-difference directional derivatives. */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src/util/rng';

export const maxAbs = (a: tf.Tensor, b: tf.Tensor): number => tf.tidy(() => tf.max(tf.abs(a.sub(b))).dataSync()[0]);
export const maxOf = (a: tf.Tensor): number => tf.tidy(() => tf.max(tf.abs(a)).dataSync()[0]);

/** Seeded N(0, std²) tensor. */
export function randn(shape: number[], seed: number, std = 1): tf.Tensor {
  const r = new Rng(seed);
  return tf.tensor(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => r.normal() * std), shape);
}

/**
 * Checks tf.grads(f) against a central finite difference along one random direction per input:
 * Σᵢ ⟨∇ᵢf, vᵢ⟩ ≈ (f(x + h·v) − f(x − h·v)) / 2h. Returns [analytic, numeric] (float32 arithmetic: compare loosely).
 */
export function directional(f: (...xs: tf.Tensor[]) => tf.Scalar, xs: tf.Tensor[], seed: number, h = 1e-2): [number, number] {
  return tf.tidy(() => {
    const vs = xs.map((x, i) => randn(x.shape, seed + i));
    const gs = tf.grads((...a: tf.Tensor[]) => f(...a))(xs);
    const analytic = gs.reduce((s, g, i) => s + g.mul(vs[i]).sum().dataSync()[0], 0);
    const at = (sign: number) => f(...xs.map((x, i) => x.add(vs[i].mul(sign * h)))).dataSync()[0];
    return [analytic, (at(1) - at(-1)) / (2 * h)];
  });
}
