import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend';
import { createEncoding } from '../../src/encodings/index';
import { alibiSlopes } from '../../src/encodings/alibi';
import { biasCollapse, encodingCollapse } from '../../src/eval/collapse';
import { Rng } from '../../src/util/rng';

describe('biasCollapse (within-row std / overall std of a bias matrix)', () => {
  it('a matrix of constant rows has ratio 0 (softmax sees nothing), with the overall std by hand', () => {
    const s = biasCollapse([1, 1, 1, 2, 2, 2, 3, 3, 3], 3);
    expect(s.withinRowStd).toBe(0);
    expect(s.overallStd).toBeCloseTo(Math.sqrt(2 / 3), 14); // values 1,2,3 three times each, mean 2
    expect(s.ratio).toBe(0);
    expect(s).toMatchObject({ matrices: 1, size: 3 });
    // Constant rows in several heads with different constants: still 0.
    expect(biasCollapse([5, 5, -1, -1, 7, 7, 0, 0], 2).ratio).toBe(0);
    // A fully constant bias carries nothing: ratio 0 by definition.
    expect(biasCollapse([4, 4, 4, 4], 2)).toMatchObject({ withinRowStd: 0, overallStd: 0, ratio: 0 });
  });

  it('a hand-computed 3×3, full rows and causal', () => {
    // Rows [0 1 2], [3 3 6], [1 1 1]: row means 1, 4, 1; within SS 2 + 6 + 0 = 8; grand mean 2; total SS 5 + 18 + 3 = 26.
    const b = [0, 1, 2, 3, 3, 6, 1, 1, 1];
    const s = biasCollapse(b, 3);
    expect(s.withinRowStd).toBeCloseTo(Math.sqrt(8 / 9), 14);
    expect(s.overallStd).toBeCloseTo(Math.sqrt(26 / 9), 14);
    expect(s.ratio).toBeCloseTo(2 / Math.sqrt(13), 14);
    // Causal: rows [0], [3 3], [1 1 1] are constant → 0; entries 0,3,3,1,1,1 (mean 1.5, SS 7.5).
    const c = biasCollapse(b, 3, { causal: true });
    expect(c.withinRowStd).toBe(0);
    expect(c.overallStd).toBeCloseTo(Math.sqrt(7.5 / 6), 14);
    expect(c.ratio).toBe(0);
    // Causal rows [5], [1 3], [0 2 4] (above-diagonal entries are ignored): within SS 0 + 2 + 8 = 10, mean 2.5, SS 17.5.
    const d = biasCollapse([5, 1000, -1000, 1, 3, 1e6, 0, 2, 4], 3, { causal: true });
    expect(d.withinRowStd).toBeCloseTo(Math.sqrt(10 / 6), 14);
    expect(d.overallStd).toBeCloseTo(Math.sqrt(17.5 / 6), 14);
    expect(d.ratio).toBeCloseTo(Math.sqrt(4 / 7), 14);
  });

  it('iid rows → ≈ 1; iid rows plus an equally spread per-row offset → ≈ 1/√2 (over many random draws)', () => {
    const T = 128;
    const H = 4;
    for (let seed = 0; seed < 8; seed++) {
      const rng = new Rng(seed);
      const iid = new Float64Array(H * T * T).map(() => rng.normal());
      const r = biasCollapse(iid, T).ratio;
      // Expected √(1 − 1/T) ≈ 0.9961 (the row means' own variance is σ²/T); sampling noise ~1e-3.
      expect(Math.abs(r - Math.sqrt(1 - 1 / T))).toBeLessThan(0.004);
      expect(r).toBeLessThanOrEqual(1 + 1e-12);
      // Within var σ²(1 − 1/T), overall var σ²(1 − 1/T) + σ²/T + σ²: ratio² ≈ (1 − 1/T)/2.
      const shifted = new Float64Array(iid);
      for (let m = 0; m < H; m++) for (let i = 0; i < T; i++) {
        const off = rng.normal();
        for (let j = 0; j < T; j++) shifted[(m * T + i) * T + j] += off;
      }
      expect(Math.abs(biasCollapse(shifted, T).ratio - Math.sqrt((1 - 1 / T) / 2))).toBeLessThan(0.04);
      // Causal rows of iid values: still ≈ 1 (short first rows lose a little, well under 5 %).
      const rc = biasCollapse(iid, T, { causal: true }).ratio;
      expect(rc).toBeGreaterThan(0.95);
      expect(rc).toBeLessThanOrEqual(1 + 1e-12);
    }
  });

  it('is invariant to adding a constant and to scaling (a ratio of spreads)', () => {
    const rng = new Rng(3);
    const v = Array.from({ length: 2 * 9 * 9 }, () => rng.normal() + (rng.next() < 0.5 ? 3 : 0));
    const a = biasCollapse(v, 9);
    const b = biasCollapse(v.map((x) => -2.5 * x + 17), 9);
    expect(b.ratio).toBeCloseTo(a.ratio, 12);
    expect(b.overallStd).toBeCloseTo(2.5 * a.overallStd, 10);
  });

  it('rejects bad shapes and non-finite values, naming them', () => {
    expect(() => biasCollapse([1, 2, 3], 2)).toThrow(/3 values are not a whole number of 2×2 matrices/);
    expect(() => biasCollapse([], 2)).toThrow(/0 values/);
    expect(() => biasCollapse([1], 0)).toThrow(/size must be a positive integer, got 0/);
    expect(() => biasCollapse([1, NaN, 3, 4], 2)).toThrow(/value NaN at matrix 0, row 0, column 1/);
  });
});

describe('encodingCollapse (the diagnostic on an encoding’s attention bias, inside and beyond the training window)', () => {
  it('ALiBi: matches the closed form of the bias m_h·j, full rows and causal, with no tensor leak', async () => {
    await initBackend();
    const dims = { dModel: 32, heads: 4, layers: 2 };
    const enc = createEncoding({ name: 'alibi' }, dims, 0);
    const slopes = alibiSlopes(4);
    const before = tf.memory().numTensors;
    const T = 16;
    const d = encodingCollapse(enc, T, { layer: 1 });
    expect(tf.memory().numTensors).toBe(before);
    // Full rows: every row of head h is m_h·(0…n−1): within var m_h²(n² − 1)/12; overall var E[m²]E[j²] − (E[m]E[j])².
    const closed = (n: number): { within: number; overall: number } => {
      const em = slopes.reduce((a, m) => a + m, 0) / 4;
      const em2 = slopes.reduce((a, m) => a + m * m, 0) / 4;
      const ej = (n - 1) / 2;
      const ej2 = ((n - 1) * (2 * n - 1)) / 6;
      return { within: Math.sqrt((em2 * (n * n - 1)) / 12), overall: Math.sqrt(em2 * ej2 - (em * ej) ** 2) };
    };
    for (const [stats, n] of [[d.inside, T], [d.beyond, 3 * T]] as const) {
      const c = closed(n);
      expect(stats.size).toBe(n);
      expect(stats.matrices).toBe(4);
      expect(stats.withinRowStd).toBeCloseTo(c.within, 5);
      expect(stats.overallStd).toBeCloseTo(c.overall, 5);
    }
    // Causal rows 0…i of m_h·j: row i has within var m_h²((i+1)² − 1)/12.
    const dc = encodingCollapse(enc, T, { causal: true, beyondLength: 20 });
    expect(dc.beyond.size).toBe(20);
    const em2 = slopes.reduce((a, m) => a + m * m, 0) / 4;
    let within = 0;
    for (let i = 0; i < T; i++) within += (i + 1) * (((i + 1) ** 2 - 1) / 12);
    expect(dc.inside.withinRowStd).toBeCloseTo(Math.sqrt((em2 * within) / ((T * (T + 1)) / 2)), 5);
    enc.dispose();
  });

  it('names the encoding when it has no attention bias, and rejects bad lengths', async () => {
    await initBackend();
    const enc = createEncoding({ name: 'rope' }, { dModel: 32, heads: 4, layers: 1 }, 0);
    const before = tf.memory().numTensors;
    expect(() => encodingCollapse(enc, 8)).toThrow(/encoding 'rope' gives no attention bias/);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => encodingCollapse(enc, 1)).toThrow(/trainLength must be an integer ≥ 2, got 1/);
    expect(() => encodingCollapse(enc, 8, { beyondLength: 2.5 })).toThrow(/beyondLength must be an integer ≥ 2, got 2.5/);
    expect(() => encodingCollapse(enc, 8, { layer: -1 })).toThrow(/layer must be a non-negative integer, got -1/);
    enc.dispose();
  });
});
