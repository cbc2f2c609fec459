/** Fused LayerNorm kernel against the tuned src/kernels/tuned/layer-norm.ts layerNorm (values, all three gradients) and finite differences. */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend';
import { layerNorm as layerNormFast } from '../../src/kernels/tuned/layer-norm';
import { layerNorm } from '../../src/kernels/wasm/layer-norm';
import { finiteDifferenceError, maxAbs, maxAbsDiff, randn } from './wasm-util';

beforeAll(async () => {
  await initBackend();
  expect(tf.getBackend()).toBe('wasm');
});

// Odd widths and row counts, rank 1 to 4; x with a non-zero mean and scale so the centring matters.
const SHAPES: number[][] = [[7], [3, 5], [2, 3, 13], [2, 1, 3, 64], [17, 1]];

describe('wasm layerNorm', () => {
  for (const shape of SHAPES) {
    it(`matches the reference in value and gradients for x [${shape}]`, () => {
      const d = shape[shape.length - 1];
      tf.tidy(() => {
        const x = randn(shape, 1, 3).add(2);
        const g = randn([d], 2, 0.5).add(1) as tf.Tensor1D;
        const b = randn([d], 3) as tf.Tensor1D;
        const w = randn(shape, 4); // random projection → scalar loss
        const f = (ln: typeof layerNorm) => (xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) => ln(xx, gg as tf.Tensor1D, bb as tf.Tensor1D).mul(w).sum() as tf.Scalar;
        expect(maxAbsDiff(layerNorm(x, g, b), layerNormFast(x, g, b))).toBeLessThan(2e-6 * Math.max(1, maxAbs(layerNormFast(x, g, b))));
        const mine = tf.grads(f(layerNorm))([x, g, b]);
        const ref = tf.grads(f(layerNormFast))([x, g, b]);
        for (let i = 0; i < 3; i++) {
          expect(mine[i].shape).toEqual(ref[i].shape);
          expect(maxAbsDiff(mine[i], ref[i])).toBeLessThan(2e-6 * Math.max(1, maxAbs(ref[i])));
        }
        // d = 1 makes the output the constant β: its x-gradient is exactly 0, which FD cannot check relatively.
        if (d > 1) expect(finiteDifferenceError(f(layerNorm), [x, g, b], mine, 5)).toBeLessThan(3e-3);
      });
    });
  }

  it('normalises each row by hand-worked numbers', () => {
    tf.tidy(() => {
      // Row [1, 2, 3]: μ = 2, σ² = 2/3, r = 1/√(2/3 + 1e-5); with γ = [1, 2, 1], β = [0, 0, 1].
      const y = layerNorm(tf.tensor2d([[1, 2, 3]]), tf.tensor1d([1, 2, 1]), tf.tensor1d([0, 0, 1])).dataSync();
      const r = 1 / Math.sqrt(2 / 3 + 1e-5);
      expect(Array.from(y)).toEqual([-r, 0, r + 1].map((v) => expect.closeTo(v, 6)));
    });
  });

  it('leaks no tensors across forward and backward', () => {
    const x = randn([5, 9], 7), g = randn([9], 8) as tf.Tensor1D, b = randn([9], 9) as tf.Tensor1D;
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      tf.grads((xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) => layerNorm(xx, gg as tf.Tensor1D, bb as tf.Tensor1D).sum())([x, g, b]);
    });
    layerNorm(x, g, b).dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, g, b]);
  });

  it('rejects wrong shapes and dtypes by name', () => {
    tf.tidy(() => {
      const x = tf.zeros([2, 4]);
      expect(() => layerNorm(x, tf.ones([3]) as tf.Tensor1D, tf.zeros([4]) as tf.Tensor1D)).toThrow(/gain\/bias \[3\]\/\[4\] do not match width 4/);
      expect(() => layerNorm(x.toInt(), tf.ones([4]) as tf.Tensor1D, tf.zeros([4]) as tf.Tensor1D)).toThrow(/x must be float32, got int32/);
      expect(() => layerNorm(tf.zeros([0, 4]), tf.ones([4]) as tf.Tensor1D, tf.zeros([4]) as tf.Tensor1D)).toThrow(/empty/);
    });
  });
});
