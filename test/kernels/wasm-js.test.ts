/**
 * The wasm JS kernels: the batched product through heap views, the JS UnsortedSegmentSum (tf.gather's gradient) and the
 * host-memory row gather, against tf.matMul, tf.gather and hand sums — run on the wasm engine, where they are installed.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend';
import { installedKernelsName, kernels, referenceKernels as ref } from '../../src/kernels/index';
import { hostGatherRows } from '../../src/kernels/tuned/gather-rows';
import { VIEWS_KERNEL } from '../../src/kernels/wasm-js/batch-matmul-views';
import { directional, maxAbs, randn } from './helpers';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('wasm JS kernels', () => {
  it('are installed with the wasm engine', () => {
    expect(installedKernelsName()).toBe('tuned+wasm-js');
    expect(tf.getKernel(VIEWS_KERNEL, 'wasm')).toBeDefined();
    expect(tf.getKernel('UnsortedSegmentSum', 'wasm')).toBeDefined();
  });

  it('batched product through views equals tf.matMul in value and gradient (many slices, batch-1, empty)', () => {
    const shapes: Array<[number[], number[]]> = [[[16, 4, 17, 8], [16, 4, 8, 17]], [[3, 5, 7], [3, 7, 4]], [[1, 4, 3], [1, 3, 2]], [[2, 0, 3], [2, 3, 4]]];
    shapes.forEach(([sa, sb], i) => tf.tidy(() => {
      const a = randn(sa, 10 + i);
      const b = randn(sb, 20 + i);
      const k = kernels();
      const y = k.batchMatMul(a, b);
      expect(y.shape).toEqual([...sa.slice(0, -1), sb[sb.length - 1]]);
      if (y.size === 0) return;
      expect(maxAbs(y, tf.matMul(a as tf.Tensor3D, b as tf.Tensor3D))).toBeLessThan(1e-5);
      const dy = randn(y.shape, 30 + i);
      const f = (kk: typeof ref) => (x: tf.Tensor, z: tf.Tensor) => kk.batchMatMul(x, z).mul(dy).sum() as tf.Scalar;
      const mine = tf.grads(f(k))([a, b]);
      const theirs = tf.grads(f(ref))([a, b]);
      mine.forEach((g, j) => expect(maxAbs(g, theirs[j])).toBeLessThan(1e-4));
      const [an, nu] = directional(f(k), [a, b], 40 + i);
      expect(Math.abs(an - nu) / Math.max(1, Math.abs(nu))).toBeLessThan(1e-2);
    }));
  });

  it('UnsortedSegmentSum (JS) sums rows per segment by hand and drops out-of-range ids', () => {
    tf.tidy(() => {
      const x = tf.tensor2d([[1, 2], [3, 4], [5, 6], [7, 8]]);
      const s = tf.unsortedSegmentSum(x, tf.tensor1d([2, 0, 2, 5], 'int32'), 3).arraySync();
      expect(s).toEqual([[3, 4], [0, 0], [1 + 5, 2 + 6]]);
    });
  });

  it('host row gather equals tf.gather; its gradient scatter-adds repeated rows; bad indices are named', () => {
    tf.tidy(() => {
      const x = randn([3, 4], 1) as tf.Tensor2D;
      const idx = Int32Array.from([2, 0, 2, 1, 2]);
      expect(maxAbs(hostGatherRows(x, idx), tf.gather(x, Array.from(idx)))).toBe(0);
      const g = tf.grad((a: tf.Tensor) => hostGatherRows(a as tf.Tensor2D, idx).sum())(x).arraySync() as number[][];
      expect(g.map((r) => r[0])).toEqual([1, 1, 3]); // row 2 is used three times
      expect(kernels().gatherRows).toBe(hostGatherRows);
      expect(() => hostGatherRows(x, Int32Array.from([3]))).toThrow(/index 3 at 0 is outside \[0, 3\)/);
      expect(() => ref.gatherRows(x, Int32Array.from([-1]))).toThrow(/index -1 at 0 is outside \[0, 3\)/);
    });
  });
});
