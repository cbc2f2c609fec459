import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend';
import { addNChunked, addNLimit, setAddNLimit } from '../../src/kernels/add-n';
import { Rng } from '../../src/util/rng';

beforeAll(async () => {
  await initBackend('wasm');
});

/** n seeded [3, 5] tensors and their sum accumulated in float64 on the host (an independent route). */
function inputs(n: number, seed: number): { ts: tf.Tensor[]; exact: Float64Array } {
  const r = new Rng(seed);
  const exact = new Float64Array(15);
  const ts = Array.from({ length: n }, () => {
    const v = Float32Array.from({ length: 15 }, () => r.normal());
    v.forEach((x, i) => (exact[i] += x));
    return tf.tensor(v, [3, 5]);
  });
  return { ts, exact };
}

describe('addNChunked (AddN below the WebGPU storage-buffer limit)', () => {
  it('equals tf.addN and the float64 host sum for many counts and chunk limits, over random draws', () => {
    for (const n of [1, 2, 7, 8, 15, 16, 27, 64]) {
      for (const limit of [2, 3, 7, 15, Infinity]) {
        const { ts, exact } = inputs(n, 100 * n + (limit === Infinity ? 1 : limit));
        const chunked = addNChunked(ts, limit);
        const plain = n === 1 ? ts[0].clone() : tf.addN(ts);
        const c = chunked.dataSync();
        const p = plain.dataSync();
        for (let i = 0; i < 15; i++) {
          // float32 sums in a different order: equal to rounding (≤ n ulps of the partial sums' size)
          expect(Math.abs(c[i] - p[i]), `n ${n} limit ${limit} [${i}]`).toBeLessThan(1e-5 * n);
          expect(Math.abs(c[i] - exact[i]), `n ${n} limit ${limit} [${i}] vs float64`).toBeLessThan(1e-5 * n);
        }
        if (limit === Infinity) expect(Array.from(c)).toEqual(Array.from(p)); // one tf.addN: the same kernel call
        expect(chunked.shape).toEqual([3, 5]);
        [chunked, plain, ...ts].forEach((t) => t.dispose());
      }
    }
  });

  it('never passes more than `limit` inputs to one AddN kernel (tf.profile of the kernel calls)', async () => {
    const { ts } = inputs(27, 5);
    const prof = await tf.profile(() => addNChunked(ts, 7));
    const addNs = prof.kernels.filter((k) => k.name === 'AddN').map((k) => k.inputShapes.length);
    // 27 leaves in chunks of ≤ 7: 7+7+7+6, then the 4 partial sums in one call
    expect(addNs).toEqual([7, 7, 7, 6, 4]);
    const plain = await tf.profile(() => tf.addN(ts));
    expect(plain.kernels.filter((k) => k.name === 'AddN').map((k) => k.inputShapes.length)).toEqual([27]);
    ts.forEach((t) => t.dispose());
  });

  it('leaks no tensors, keeps its inputs, and rejects bad limits and empty input by name', () => {
    const { ts } = inputs(10, 9);
    const before = tf.memory().numTensors;
    const s = addNChunked(ts, 3);
    expect(tf.memory().numTensors).toBe(before + 1);
    s.dispose();
    expect(ts.every((t) => !t.isDisposed)).toBe(true);
    expect(() => addNChunked(ts, 1)).toThrow(/limit must be an integer ≥ 2 or Infinity, got 1/);
    expect(() => addNChunked(ts, 2.5)).toThrow(/got 2.5/);
    expect(() => addNChunked([])).toThrow(/no tensors to add/);
    expect(() => setAddNLimit(0)).toThrow(/got 0/);
    expect(tf.memory().numTensors).toBe(before);
    ts.forEach((t) => t.dispose());
  });

  it('uses the engine limit by default (Infinity on wasm; src/backend.ts sets limit − 1 on webgpu)', () => {
    expect(addNLimit()).toBe(Infinity);
    const prev = setAddNLimit(4);
    try {
      const { ts, exact } = inputs(9, 3);
      const s = addNChunked(ts).dataSync();
      for (let i = 0; i < 15; i++) expect(Math.abs(s[i] - exact[i])).toBeLessThan(1e-4);
      ts.forEach((t) => t.dispose());
    } finally {
      setAddNLimit(prev);
    }
    expect(addNLimit()).toBe(Infinity);
  });
});
