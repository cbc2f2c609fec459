/**
 * Fused scaled + masked softmax against tf.softmax(scale·scores + offset) with stock autodiff (values and the gradients
 * of scores and offset), finite differences, the causal mask's exact zeros, and memory hygiene.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend';
import { causalMask } from '../../src/models/attention';
import { maskedSoftmax } from '../../src/kernels/wasm/masked-softmax';
import { finiteDifferenceError, maxAbsDiff, randn } from './wasm-util';

beforeAll(async () => {
  await initBackend();
  expect(tf.getBackend()).toBe('wasm');
});

const ref = (s: tf.Tensor, o: tf.Tensor | null, scale: number): tf.Tensor => tf.softmax(o ? s.mul(scale).add(o) : s.mul(scale));

describe('wasm maskedSoftmax', () => {
  const cases: Array<[number[], number[] | null, number]> = [
    [[2, 3, 5, 5], [1, 3, 5, 5], 0.35], // per-head bias (SeqPE attn_bias)
    [[2, 3, 7, 7], [1, 1, 7, 7], 1 / Math.sqrt(8)], // shared mask
    [[3, 2, 4, 6], [3, 1, 4, 6], 1.7], // batch-dependent offset, rectangular rows
    [[4, 9], [4, 9], 1],
    [[3, 4, 9], [1, 4, 9], 0.8],
    [[2, 1, 3, 3], null, 0.5],
  ];
  for (const [shape, offShape, scale] of cases) {
    it(`matches stock softmax and its gradients for scores [${shape}], offset ${offShape ? `[${offShape}]` : 'none'}, scale ${scale.toFixed(3)}`, () => {
      tf.tidy(() => {
        const s = randn(shape, 21, 2);
        const o = offShape ? randn(offShape, 22) : null;
        const w = randn(shape, 23);
        expect(maxAbsDiff(maskedSoftmax(s, o, scale), ref(s, o, scale))).toBeLessThan(1e-6);
        const xs = o ? [s, o] : [s];
        const f = (sm: typeof ref) => (...t: tf.Tensor[]) => sm(t[0], t[1] ?? null, scale).mul(w).sum() as tf.Scalar;
        const mine = tf.grads(f(maskedSoftmax))(xs);
        const theirs = tf.grads(f(ref))(xs);
        mine.forEach((g, i) => {
          expect(g.shape).toEqual(xs[i].shape);
          expect(maxAbsDiff(g, theirs[i])).toBeLessThan(2e-6);
        });
        expect(finiteDifferenceError(f(maskedSoftmax), xs, mine, 24)).toBeLessThan(3e-3);
      });
    });
  }

  it('gives exact zeros above the diagonal under the causal mask and rows that sum to 1', () => {
    tf.tidy(() => {
      const p = maskedSoftmax(randn([2, 2, 6, 6], 31, 4), causalMask(6), 0.5).dataSync();
      for (let r = 0; r < 24; r++) {
        const i = r % 6;
        let sum = 0;
        for (let j = 0; j < 6; j++) {
          if (j > i) expect(p[r * 6 + j]).toBe(0);
          sum += p[r * 6 + j];
        }
        expect(sum).toBeCloseTo(1, 6);
      }
      // Hand-worked row: scores [0, ln 3] scale 1, no offset → [1/4, 3/4].
      expect(Array.from(maskedSoftmax(tf.tensor2d([[0, Math.log(3)]]), null, 1).dataSync())).toEqual([expect.closeTo(0.25, 6), expect.closeTo(0.75, 6)]);
    });
  });

  it('computes the scores gradient alone when the offset is a constant', () => {
    tf.tidy(() => {
      const s = randn([2, 2, 5, 5], 41);
      const m = causalMask(5);
      const g = tf.grad((t: tf.Tensor) => maskedSoftmax(t, m, 0.3).square().sum())(s);
      const r = tf.grad((t: tf.Tensor) => ref(t, m, 0.3).square().sum())(s);
      expect(maxAbsDiff(g, r)).toBeLessThan(2e-6);
    });
  });

  it('leaks no tensors across forward and backward', () => {
    const s = randn([2, 3, 4, 4], 51), o = randn([1, 3, 4, 4], 52);
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      tf.grads((a: tf.Tensor, b: tf.Tensor) => maskedSoftmax(a, b, 0.5).square().sum())([s, o]);
      tf.grad((a: tf.Tensor) => maskedSoftmax(a, null, 2).square().sum())(s);
    });
    maskedSoftmax(s, o, 1).dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([s, o]);
  });

  it('rejects offsets that do not broadcast, bad scales and dtypes by name', () => {
    tf.tidy(() => {
      const s = tf.zeros([2, 3, 4, 4]);
      expect(() => maskedSoftmax(s, tf.zeros([1, 2, 4, 4]), 1)).toThrow(/offset \[1,2,4,4\] does not broadcast to scores \[2,3,4,4\]/);
      expect(() => maskedSoftmax(s, tf.zeros([3, 4, 4]), 1)).toThrow(/does not broadcast/);
      expect(() => maskedSoftmax(s, null, NaN)).toThrow(/scale must be a finite number, got NaN/);
      expect(() => maskedSoftmax(tf.zeros([4]), null, 1)).toThrow(/rank ≥ 2/);
      expect(() => maskedSoftmax(s.toInt(), null, 1)).toThrow(/scores must be float32, got int32/);
    });
  });
});
