/** Fused GELU kernels against the tuned src/kernels/tuned/gelu.ts (and the literal stock-op forms of src/kernels/reference/layers.ts), plus finite differences. */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend';
import { geluErf, geluTanh } from '../../src/kernels/tuned/gelu';
import { gelu as referenceGelu } from '../../src/kernels/reference/layers';
import { gelu, normalCdf } from '../../src/kernels/wasm/gelu';
import { finiteDifferenceError, maxAbs, maxAbsDiff, randn } from './wasm-util';

beforeAll(async () => {
  await initBackend();
  expect(tf.getBackend()).toBe('wasm');
});

const REF = { tanh: geluTanh, erf: geluErf } as const;

describe('wasm gelu', () => {
  for (const kind of ['tanh', 'erf'] as const) {
    for (const shape of [[1], [3, 7], [2, 5, 33]]) {
      it(`${kind}: matches the reference value and gradient for x [${shape}]`, () => {
        tf.tidy(() => {
          // Wide range (std 3) so both tails and the curved middle are exercised.
          const x = randn(shape, 11, 3);
          const w = randn(shape, 12);
          const ref = REF[kind](x);
          const tol = 1e-6 * Math.max(1, maxAbs(ref));
          expect(maxAbsDiff(gelu(x, kind), ref)).toBeLessThan(tol);
          expect(maxAbsDiff(gelu(x, kind), referenceGelu(x, kind))).toBeLessThan(tol);
          const f = (g: (t: tf.Tensor) => tf.Tensor) => (t: tf.Tensor) => g(t).mul(w).sum() as tf.Scalar;
          const mine = tf.grad(f((t) => gelu(t, kind)))(x);
          const theirs = tf.grad(f(REF[kind]))(x);
          expect(maxAbsDiff(mine, theirs)).toBeLessThan(2e-6 * Math.max(1, maxAbs(theirs)));
          expect(finiteDifferenceError(f((t) => gelu(t, kind)), [x], [mine], 13)).toBeLessThan(3e-3);
        });
      });
    }
  }

  it('Φ agrees with closed values of the normal CDF', () => {
    // Φ(0) = ½; Φ(1.959963985) = 0.975; Φ(−1) = 0.158655254; Φ(3) = 0.998650102.
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.959963985)).toBeCloseTo(0.975, 7);
    expect(normalCdf(-1)).toBeCloseTo(0.158655254, 7);
    expect(normalCdf(3)).toBeCloseTo(0.998650102, 7);
  });

  it('leaks no tensors across forward and backward', () => {
    const x = randn([4, 6], 3);
    const before = tf.memory().numTensors;
    for (const kind of ['tanh', 'erf'] as const) {
      tf.tidy(() => {
        tf.grad((t: tf.Tensor) => gelu(t, kind).sum())(x);
      });
      gelu(x, kind).dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });

  it('rejects a wrong kind and dtype by name', () => {
    tf.tidy(() => {
      expect(() => gelu(tf.zeros([2]), 'relu' as never)).toThrow(/kind must be 'tanh' or 'erf', got 'relu'/);
      expect(() => gelu(tf.zeros([2], 'int32'), 'tanh')).toThrow(/x must be float32, got int32/);
    });
  });
});
