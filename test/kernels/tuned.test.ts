/**
 * The tuned kernel set against the reference set (stock tfjs autodiff, textbook formulas): values to float rounding,
 * every gradient against the reference's autodiff AND against central finite differences, plus hand values.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend';
import { referenceKernels as ref, tunedKernels as tuned } from '../../src/kernels/index';
import { Rng } from '../../src/util/rng';
import { directional, maxAbs, maxOf, randn } from './helpers';

beforeAll(async () => {
  await initBackend();
});

/** |a − b| / max(1, |b|) < tol for the directional-derivative pair. */
const closeFd = ([a, n]: [number, number], tol = 1e-2) => expect(Math.abs(a - n) / Math.max(1, Math.abs(n))).toBeLessThan(tol);

describe('tuned kernels equal the reference kernels', () => {
  it('matMul, rank 2/3/4: value and both gradients, and a finite difference', () => {
    const shapes: Array<[number[], number[]]> = [[[5, 7], [7, 3]], [[3, 5, 7], [3, 7, 4]], [[2, 3, 6, 5], [2, 3, 5, 6]]];
    shapes.forEach(([sa, sb], i) => tf.tidy(() => {
      const a = randn(sa, 10 + i);
      const b = randn(sb, 20 + i);
      const dy = randn([...sa.slice(0, -1), sb[sb.length - 1]], 30 + i);
      expect(maxAbs(tuned.matMul(a, b), ref.matMul(a, b))).toBeLessThan(1e-5);
      const f = (k: typeof ref) => (x: tf.Tensor, y: tf.Tensor) => k.matMul(x, y).mul(dy).sum() as tf.Scalar;
      const gt = tf.grads(f(tuned))([a, b]);
      const gr = tf.grads(f(ref))([a, b]);
      gt.forEach((g, j) => expect(maxAbs(g, gr[j])).toBeLessThan(1e-5));
      closeFd(directional(f(tuned), [a, b], 40 + i));
    }));
  });

  it('batchMatMul: value and gradients for rank 3 and 4, batched and batch-1, both transpose choices', () => {
    const shapes: Array<[number[], number[]]> = [
      [[3, 5, 7], [3, 7, 4]], [[2, 3, 6, 5], [2, 3, 5, 6]], [[1, 4, 3], [1, 3, 2]], [[4, 2, 17, 3], [4, 2, 3, 17]], [[2, 2, 3, 17], [2, 2, 17, 3]],
    ];
    shapes.forEach(([sa, sb], i) => tf.tidy(() => {
      const a = randn(sa, 50 + i);
      const b = randn(sb, 60 + i);
      const dy = randn([...sa.slice(0, -1), sb[sb.length - 1]], 70 + i);
      expect(maxAbs(tuned.batchMatMul(a, b), ref.batchMatMul(a, b))).toBeLessThan(1e-5);
      const f = (k: typeof ref) => (x: tf.Tensor, y: tf.Tensor) => k.batchMatMul(x, y).mul(dy).sum() as tf.Scalar;
      const gt = tf.grads(f(tuned))([a, b]);
      const gr = tf.grads(f(ref))([a, b]);
      gt.forEach((g, j) => expect(maxAbs(g, gr[j])).toBeLessThan(1e-4));
      closeFd(directional(f(tuned), [a, b], 80 + i));
    }));
  });

  it('batchMatMul rejects broadcasting and mismatched shapes with clear errors (both sets)', () => {
    tf.tidy(() => {
      for (const k of [tuned, ref]) {
        expect(() => k.batchMatMul(tf.zeros([2, 3, 4]), tf.zeros([1, 4, 3]))).toThrow(/batch dims differ/);
        expect(() => k.batchMatMul(tf.zeros([2, 3, 4]), tf.zeros([2, 5, 3]))).toThrow(/inner dims differ/);
        expect(() => k.batchMatMul(tf.zeros([3, 4]), tf.zeros([4, 3]))).toThrow(/rank 3 or both rank 4/);
      }
    });
  });

  it('linear, with and without bias, for both transpose choices (in < out and in > out)', () => {
    for (const [inD, outD] of [[6, 11], [11, 6]]) {
      tf.tidy(() => {
        const x = randn([2, 7, inD], 5);
        const w = randn([inD, outD], 6) as tf.Tensor2D;
        const b = randn([outD], 7) as tf.Tensor1D;
        const dy = randn([2, 7, outD], 8);
        expect(maxAbs(tuned.linear(x, w, b), ref.linear(x, w, b))).toBeLessThan(1e-5);
        expect(maxAbs(tuned.linear(x, w), ref.linear(x, w))).toBeLessThan(1e-5);
        const f = (k: typeof ref) => (xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) => k.linear(xx, ww as tf.Tensor2D, bb as tf.Tensor1D).mul(dy).sum() as tf.Scalar;
        const gt = tf.grads(f(tuned))([x, w, b]);
        const gr = tf.grads(f(ref))([x, w, b]);
        gt.forEach((g, j) => expect(maxAbs(g, gr[j])).toBeLessThan(1e-4));
        closeFd(directional(f(tuned), [x, w, b], 9));
      });
    }
    tf.tidy(() => {
      expect(() => tuned.linear(tf.zeros([2, 5]), tf.zeros([4, 3]) as tf.Tensor2D)).toThrow(/input last dim 5 does not match weight \[4,3\]/);
      expect(() => tuned.linear(tf.zeros([2, 4]), tf.zeros([4, 3]) as tf.Tensor2D, tf.zeros([2]) as tf.Tensor1D)).toThrow(/bias shape \[2\]/);
    });
  });

  it('layerNorm: value (default and a custom eps) and all three gradients; a hand value', () => {
    tf.tidy(() => {
      const x = randn([5, 3, 16], 1, 3).add(2);
      const g = randn([16], 2) as tf.Tensor1D;
      const b = randn([16], 3) as tf.Tensor1D;
      const dy = randn([5, 3, 16], 4);
      for (const eps of [1e-5, 1e-2]) {
        const diff = maxAbs(tuned.layerNorm(x, g, b, eps), ref.layerNorm(x, g, b, eps));
        expect(diff / maxOf(ref.layerNorm(x, g, b, eps))).toBeLessThan(2e-6);
        const f = (k: typeof ref) => (xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) => k.layerNorm(xx, gg as tf.Tensor1D, bb as tf.Tensor1D, eps).mul(dy).sum() as tf.Scalar;
        const gt = tf.grads(f(tuned))([x, g, b]);
        const gr = tf.grads(f(ref))([x, g, b]);
        gt.forEach((t, i) => expect(maxAbs(t, gr[i]) / Math.max(1, maxOf(gr[i]))).toBeLessThan(1e-5));
        closeFd(directional(f(tuned), [x, g, b], 5));
      }
      // [1, 3]: mean 2, variance 1 → x̂ = (−1, 1); with γ = (2, 3), β = (0, 1): (−2, 4) (eps 0 in the hand value; 1e-5 shifts it by 1e-5)
      const y = tuned.layerNorm(tf.tensor2d([[1, 3]]), tf.tensor1d([2, 3]), tf.tensor1d([0, 1])).dataSync();
      expect(y[0]).toBeCloseTo(-2, 4);
      expect(y[1]).toBeCloseTo(4, 4);
      expect(() => tuned.layerNorm(x, tf.zeros([8]) as tf.Tensor1D, b)).toThrow(/do not match width 16/);
    });
  });

  it('gelu tanh (σ form) equals the literal tanh formula; gelu erf equals the exact form; gradients; hand values', () => {
    tf.tidy(() => {
      for (const kind of ['tanh', 'erf'] as const) {
        const x = tf.linspace(-9, 9, 721);
        expect(maxAbs(tuned.gelu(x, kind), ref.gelu(x, kind))).toBeLessThan(2e-6);
        const g1 = tf.grad((t: tf.Tensor) => tuned.gelu(t, kind).sum())(x);
        const g2 = tf.grad((t: tf.Tensor) => ref.gelu(t, kind).sum())(x);
        expect(maxAbs(g1, g2)).toBeLessThan(1e-5);
        closeFd(directional((t) => tuned.gelu(t, kind).square().sum() as tf.Scalar, [randn([50], 6)], 7));
      }
      // gelu_tanh(1) = 0.5·(1 + tanh(√(2/π)·1.044715)); gelu_erf'(0) = Φ(0) = 0.5
      expect(tuned.gelu(tf.scalar(1), 'tanh').dataSync()[0]).toBeCloseTo(0.5 * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * 1.044715)), 6);
      expect(tf.grad((t: tf.Tensor) => tuned.gelu(t, 'erf').sum())(tf.zeros([1])).dataSync()[0]).toBeCloseTo(0.5, 6);
      expect(() => tuned.gelu(tf.zeros([1]), 'relu' as 'tanh')).toThrow(/kind must be 'tanh' or 'erf', got "relu"/);
    });
  });

  it('embedding: gather equals the one-hot product, gradient sums dy per id (hand count)', () => {
    tf.tidy(() => {
      const table = randn([4, 3], 11) as tf.Tensor2D;
      const ids = tf.tensor2d([[1, 3, 1], [0, 1, 2]], [2, 3], 'int32');
      expect(maxAbs(tuned.embedding(ids, table), ref.embedding(ids, table))).toBe(0);
      for (const k of [tuned, ref]) {
        const g = tf.grad((t: tf.Tensor) => k.embedding(ids, t as tf.Tensor2D).sum())(table).arraySync() as number[][];
        // every dy is 1: the gradient row of id k is (number of occurrences of k) in every column
        expect(g).toEqual([[1, 1, 1], [3, 3, 3], [1, 1, 1], [1, 1, 1]]);
        expect(() => k.embedding(tf.zeros([2]), table)).toThrow(/ids must be int32/);
      }
    });
  });

  it('softmaxCrossEntropy: value by hand (float64 log-sum-exp), gradient (softmax − onehot)·w/Σw, tuned = reference', () => {
    const N = 6;
    const V = 5;
    const r = new Rng(9);
    const z = Array.from({ length: N * V }, () => r.normal() * 3);
    const t = [0, 4, 2, 2, 1, 3];
    const w = [1, 0, 2, 0.5, 0, 1];
    const lse = (i: number) => {
      const row = z.slice(i * V, (i + 1) * V);
      const m = Math.max(...row);
      return m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
    };
    const nll = t.map((ti, i) => lse(i) - z[i * V + ti]);
    const meanNll = nll.reduce((a, b) => a + b, 0) / N;
    const sw = w.reduce((a, b) => a + b, 0);
    const wNll = nll.reduce((s, v, i) => s + v * w[i], 0) / sw;
    tf.tidy(() => {
      const logits = tf.tensor2d(z, [N, V]);
      for (const k of [tuned, ref]) {
        expect(k.softmaxCrossEntropy(logits, t).dataSync()[0]).toBeCloseTo(meanNll, 5);
        expect(k.softmaxCrossEntropy(logits, t, w).dataSync()[0]).toBeCloseTo(wNll, 5);
        expect(k.softmaxCrossEntropy(logits, tf.tensor1d(t, 'int32'), tf.tensor1d(w)).dataSync()[0]).toBeCloseTo(wNll, 5);
        const g = tf.grad((l: tf.Tensor) => k.softmaxCrossEntropy(l as tf.Tensor2D, t, w))(logits).dataSync();
        for (let i = 0; i < N; i++) {
          const e = z.slice(i * V, (i + 1) * V).map((v) => Math.exp(v - lse(i)));
          for (let j = 0; j < V; j++) expect(g[i * V + j]).toBeCloseTo(((e[j] - (j === t[i] ? 1 : 0)) * w[i]) / sw, 6);
        }
      }
      closeFd(directional((l) => tuned.softmaxCrossEntropy(l as tf.Tensor2D, t, w), [logits], 12));
    });
  });

  it('softmaxCrossEntropy rejects bad targets and weights with the same errors in both sets', () => {
    tf.tidy(() => {
      const l = tf.zeros([2, 3]) as tf.Tensor2D;
      for (const k of [tuned, ref]) {
        expect(() => k.softmaxCrossEntropy(l, [0, 3])).toThrow(/target\[1\] = 3 is outside \[0, 3\)/);
        expect(() => k.softmaxCrossEntropy(l, [0])).toThrow(/1 targets for 2 rows/);
        expect(() => k.softmaxCrossEntropy(l, [0, 1], [0, 0])).toThrow(/all weights are zero/);
        expect(() => k.softmaxCrossEntropy(l, [0, 1], [1, -1])).toThrow(/weight\[1\] = -1/);
        expect(() => k.softmaxCrossEntropy(l, tf.tensor1d([0, 1]))).toThrow(/expected an int32 tensor, got float32/);
      }
    });
  });

  it('softmax with an additive mask: masked entries get exactly 0, rows sum to 1, equals a plain-JS softmax', () => {
    tf.tidy(() => {
      const x = [[1, 2, 3], [0.5, -1, 2]];
      const mask = tf.tensor2d([[0, -1e9, 0]]); // broadcast over rows
      const p = tuned.softmax(tf.tensor2d(x), mask).arraySync() as number[][];
      x.forEach((row, i) => {
        const e = [Math.exp(row[0]), 0, Math.exp(row[2])];
        const s = e[0] + e[2];
        expect(p[i][1]).toBe(0);
        expect(p[i][0]).toBeCloseTo(e[0] / s, 6);
        expect(p[i][2]).toBeCloseTo(e[2] / s, 6);
      });
      expect(maxAbs(tuned.softmax(tf.tensor2d(x)), tf.softmax(tf.tensor2d(x)))).toBe(0);
    });
  });

  it('no tensor leaks: every kernel, forward and backward, leaves tf.memory().numTensors unchanged', () => {
    const x = randn([4, 6], 1);
    const w = randn([6, 6], 2) as tf.Tensor2D;
    const b = randn([6], 3) as tf.Tensor1D;
    const a4 = randn([2, 2, 3, 4], 4);
    const b4 = randn([2, 2, 4, 3], 5);
    const ids = tf.tensor1d([0, 2, 5], 'int32');
    for (const k of [tuned, ref]) {
      const run = () => {
        const r = tf.grads((xx: tf.Tensor, ww: tf.Tensor, aa: tf.Tensor) => {
          const h = k.gelu(k.layerNorm(k.linear(xx, ww as tf.Tensor2D, b), b, b), 'tanh');
          const e = k.embedding(ids, ww as tf.Tensor2D).sum();
          const m = k.batchMatMul(aa, b4).sum().add(k.matMul(h, ww).sum());
          const rows = k.gatherRows(h as tf.Tensor2D, Int32Array.from([3, 0, 3])).sum();
          const ce = k.softmaxCrossEntropy(k.softmax(h) as tf.Tensor2D, [0, 1, 2, 3]);
          return m.add(e).add(rows).add(ce).add(k.dropout(h, 0.5, 7).sum()) as tf.Scalar;
        })([x, w, a4]);
        tf.dispose(r);
      };
      run();
      const n0 = tf.memory().numTensors;
      run();
      expect(tf.memory().numTensors, k.name).toBe(n0);
    }
    tf.dispose([x, w, b, a4, b4, ids]);
  });
});
