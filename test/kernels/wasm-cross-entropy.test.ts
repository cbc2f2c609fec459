/** Fused softmax cross-entropy against the tuned kernel src/kernels/tuned/cross-entropy.ts (values, gradients, weights), finite differences, errors. */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend';
import { softmaxCrossEntropy as reference } from '../../src/kernels/tuned/cross-entropy';
import { softmaxCrossEntropy } from '../../src/kernels/wasm/cross-entropy';
import { Rng } from '../../src/util/rng';
import { finiteDifferenceError, maxAbsDiff, randn } from './wasm-util';

beforeAll(async () => {
  await initBackend();
  expect(tf.getBackend()).toBe('wasm');
});

function targets(n: number, v: number, seed: number): Int32Array {
  const rng = new Rng(seed);
  return Int32Array.from({ length: n }, () => rng.int(0, v));
}

describe('wasm softmaxCrossEntropy', () => {
  for (const [n, v] of [[1, 2], [7, 13], [33, 256]]) {
    for (const weighted of [false, true]) {
      it(`matches the reference for logits [${n}, ${v}], ${weighted ? 'with row weights' : 'plain mean'}`, () => {
        tf.tidy(() => {
          const z = randn([n, v], 61, 3) as tf.Tensor2D;
          const t = targets(n, v, 62);
          // Weights with zeros among them (the answer-only QA loss), but not all zero.
          const w = weighted ? Float32Array.from({ length: n }, (_, i) => (i % 3 === 1 ? 0 : 0.5 + i)) : undefined;
          const mine = softmaxCrossEntropy(z, t, w).dataSync()[0];
          const ref = reference(z, t, w).dataSync()[0];
          expect(Math.abs(mine - ref)).toBeLessThan(1e-6 * Math.max(1, Math.abs(ref)));
          // Targets as a device tensor give the same value.
          expect(softmaxCrossEntropy(z, tf.tensor1d(t, 'int32'), w).dataSync()[0]).toBe(mine);
          const f = (ce: typeof reference) => (x: tf.Tensor) => ce(x as tf.Tensor2D, t, w).mul(2.5) as tf.Scalar;
          const g = tf.grad(f(softmaxCrossEntropy))(z);
          expect(maxAbsDiff(g, tf.grad(f(reference))(z))).toBeLessThan(1e-6);
          expect(finiteDifferenceError(f(softmaxCrossEntropy), [z], [g], 63, 3, 2e-3)).toBeLessThan(3e-3);
        });
      });
    }
  }

  it('gives the hand-worked value ln 2 for two equal logits', () => {
    tf.tidy(() => {
      expect(softmaxCrossEntropy(tf.tensor2d([[1, 1], [0, 0]]), [0, 1]).dataSync()[0]).toBeCloseTo(Math.LN2, 6);
      // Weight only on row 1: logits [0, ln 3], target 1 → −ln(3/4).
      expect(softmaxCrossEntropy(tf.tensor2d([[5, 0], [0, Math.log(3)]]), [0, 1], [0, 2]).dataSync()[0]).toBeCloseTo(-Math.log(0.75), 6);
    });
  });

  it('leaks no tensors across forward and backward', () => {
    const z = randn([5, 4], 71) as tf.Tensor2D;
    const t = tf.tensor1d([0, 1, 2, 3, 0], 'int32');
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      tf.grad((x: tf.Tensor) => softmaxCrossEntropy(x as tf.Tensor2D, [0, 1, 2, 3, 0]))(z);
      tf.grad((x: tf.Tensor) => softmaxCrossEntropy(x as tf.Tensor2D, t, [1, 0, 1, 0, 1]))(z);
    });
    softmaxCrossEntropy(z, t).dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([z, t]);
  });

  it('rejects bad targets, weights, shapes and dtypes by name', () => {
    tf.tidy(() => {
      const z = tf.zeros([2, 3]) as tf.Tensor2D;
      expect(() => softmaxCrossEntropy(z, [0, 3])).toThrow(/target\[1\] = 3 is outside \[0, 3\)/);
      const before = tf.memory().numTensors;
      expect(() => softmaxCrossEntropy(z, tf.tensor1d([0, -1], 'int32'))).toThrow(/target\[1\] = -1 is outside \[0, 3\)/);
      expect(tf.memory().numTensors).toBe(before + 1); // only the targets tensor made here: the kernel allocated nothing
      expect(() => softmaxCrossEntropy(z, [0])).toThrow(/1 targets for 2 rows/);
      expect(() => softmaxCrossEntropy(z, tf.tensor1d([0, 1], 'float32'))).toThrow(/int32 tensor, got float32/);
      expect(() => softmaxCrossEntropy(z, [0, 1], [0, 0])).toThrow(/all weights are zero/);
      expect(() => softmaxCrossEntropy(z, [0, 1], [1, -1])).toThrow(/weight\[1\] = -1/);
      expect(() => softmaxCrossEntropy(tf.zeros([2, 3, 1]) as unknown as tf.Tensor2D, [0, 1])).toThrow(/logits must be \[N, V\]/);
    });
  });
});
