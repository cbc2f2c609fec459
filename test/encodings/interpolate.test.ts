import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend';
import { cubicKernel, cubicTaps, linearTaps, resizeBicubic2d, resizeLinear1d, tapsMatrix } from '../../src/encodings/interpolate';
import { Rng } from '../../src/util/rng';

beforeAll(async () => {
  await initBackend();
});

function rows(t: tf.Tensor): number[][] {
  const d = t.shape[t.rank - 1];
  const v = Array.from(t.dataSync());
  return Array.from({ length: v.length / d }, (_, i) => v.slice(i * d, (i + 1) * d));
}

function expectClose(a: number[][], b: number[][], tol = 1e-5): void {
  expect(a.length).toBe(b.length);
  a.forEach((r, i) => r.forEach((v, j) => expect(Math.abs(v - b[i][j])).toBeLessThanOrEqual(tol)));
}

/** Combines table rows x with hand-written weights: Σ_k w[k]·x[k]. */
function mix(x: number[][], w: number[]): number[] {
  return x[0].map((_, j) => w.reduce((s, wk, k) => s + wk * x[k][j], 0));
}

describe('linear resize (PyTorch linear, align_corners=False)', () => {
  it('2 → 4 gives [x0, 0.75x0+0.25x1, 0.25x0+0.75x1, x1]', () => {
    const x = [[1.5, -2], [3.25, 4]];
    const out = tf.tidy(() => rows(resizeLinear1d(tf.tensor2d(x), 4)));
    expectClose(out, [x[0], mix(x, [0.75, 0.25]), mix(x, [0.25, 0.75]), x[1]]);
  });

  it('3 → 5 and 4 → 2 match source coordinates worked out by hand', () => {
    // 3 → 5: scale 0.6, x_i = 0.6(i+0.5)−0.5 = −0.2→0, 0.4, 1.0, 1.6, 2.2 (right tap clamped to index 2)
    const x3 = [[1, 10], [2, 20], [4, 40]];
    const up = tf.tidy(() => rows(resizeLinear1d(tf.tensor2d(x3), 5)));
    expectClose(up, [x3[0], mix(x3, [0.6, 0.4, 0]), x3[1], mix(x3, [0, 0.4, 0.6]), x3[2]]);
    // 4 → 2: scale 2, x = 0.5 and 2.5: averages of neighbours
    const x4 = [[1], [3], [7], [15]];
    const down = tf.tidy(() => rows(resizeLinear1d(tf.tensor2d(x4), 2)));
    expectClose(down, [[2], [11]]);
  });

  it('is the identity when the size is unchanged', () => {
    const rng = new Rng(3);
    const x = Array.from({ length: 6 }, () => [rng.normal(), rng.normal()]);
    // exactly the float32-rounded input
    expectClose(tf.tidy(() => rows(resizeLinear1d(tf.tensor2d(x), 6))), x.map((r) => r.map(Math.fround)), 0);
    linearTaps(6, 6).forEach((t, i) => {
      expect(t.index[0]).toBe(i);
      expect(t.weight[0]).toBe(1);
    });
  });

  it('is differentiable: d Σ out / d x = how much weight each input row gives out (3 → 5: 1.6, 1.8, 1.6)', () => {
    const g = tf.tidy(() => Array.from(tf.grad((x: tf.Tensor) => resizeLinear1d(x as tf.Tensor2D, 5).sum())(tf.tensor2d([[1], [2], [4]])).dataSync()));
    expectClose([g], [[1.6, 1.8, 1.6]]);
  });

  it('rejects bad sizes and shapes clearly', () => {
    expect(() => linearTaps(0, 3)).toThrow(/inSize must be a positive integer, got 0/);
    expect(() => tf.tidy(() => resizeLinear1d(tf.zeros([2, 2]) as tf.Tensor2D, 2.5))).toThrow(/outLen.*2\.5/);
    expect(() => tf.tidy(() => resizeLinear1d(tf.zeros([2]) as unknown as tf.Tensor2D, 3))).toThrow(/\[n, d\] table/);
  });
});

describe('bicubic resize (PyTorch bicubic, a = −0.75, align_corners=False)', () => {
  it('cubic kernel values by hand', () => {
    // W(s) = 1.25|s|³ − 2.25|s|² + 1 (|s| ≤ 1),  −0.75(|s|³ − 5|s|² + 8|s| − 4) (1 < |s| < 2)
    expect(cubicKernel(0)).toBe(1);
    expect(cubicKernel(1)).toBeCloseTo(0, 12);
    expect(cubicKernel(2)).toBe(0);
    expect(cubicKernel(0.5)).toBeCloseTo(0.59375, 12);
    expect(cubicKernel(-0.5)).toBeCloseTo(0.59375, 12);
    expect(cubicKernel(1.5)).toBeCloseTo(-0.09375, 12);
    expect(cubicKernel(0.25)).toBeCloseTo(0.87890625, 12);
    expect(cubicKernel(0.75)).toBeCloseTo(0.26171875, 12);
    expect(cubicKernel(1.25)).toBeCloseTo(-0.10546875, 12);
    expect(cubicKernel(1.75)).toBeCloseTo(-0.03515625, 12);
  });

  // 2 → 4 along one axis, by hand: x = −0.25, 0.25, 0.75, 1.25; clamped taps pile onto the border sample.
  const M24 = [
    [1.10546875, -0.10546875],
    [0.7734375, 0.2265625],
    [0.2265625, 0.7734375],
    [-0.10546875, 1.10546875],
  ];

  it('2 → 4 weights match the hand-computed matrix (with the overshoot at the borders)', () => {
    const m = Array.from(tapsMatrix(cubicTaps(2, 4), 2));
    expectClose([m], [M24.flat()], 1e-7);
  });

  it('a 2×2 grid → 4×4 equals the separable product of the hand weights', () => {
    const v = [[1, 2], [5, -3]]; // grid values, d = 1 (plus a second channel 10·v)
    const x = tf.tensor3d(v.map((r) => r.map((a) => [a, 10 * a])));
    const out = tf.tidy(() => rows(resizeBicubic2d(x, 4, 4)));
    x.dispose();
    const want: number[][] = [];
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 4; j++) {
        let s = 0;
        for (let a = 0; a < 2; a++) for (let b = 0; b < 2; b++) s += M24[i][a] * M24[j][b] * v[a][b];
        want.push([s, 10 * s]);
      }
    }
    expectClose(out, want, 1e-5);
  });

  it('is the identity when the grid is unchanged', () => {
    const rng = new Rng(4);
    const vals = Array.from({ length: 3 * 5 * 2 }, () => rng.normal());
    const out = tf.tidy(() => Array.from(resizeBicubic2d(tf.tensor3d(vals, [3, 5, 2]), 3, 5).dataSync()));
    expectClose([out], [vals.map(Math.fround)], 0);
    cubicTaps(7, 7).forEach((t) => expect(t.weight.map((w) => Math.abs(w) < 1e-12 ? 0 : w)).toEqual([0, 1, 0, 0]));
  });

  it('keeps a constant grid constant, up- and down-sampling', () => {
    for (const [r, c, R, C] of [[5, 7, 9, 4], [14, 14, 20, 20], [3, 3, 2, 8]]) {
      const out = tf.tidy(() => Array.from(resizeBicubic2d(tf.fill([r, c, 3], 2.5) as tf.Tensor3D, R, C).dataSync()));
      expect(out.length).toBe(R * C * 3);
      out.forEach((v) => expect(Math.abs(v - 2.5)).toBeLessThan(1e-5));
    }
  });

  it('reproduces a linear ramp away from the borders with Keys a = −0.5 (value at the source coordinate)', () => {
    const [r, c, R, C] = [6, 7, 14, 11];
    const ramp = (y: number, x: number) => 2 * y - 3 * x + 1;
    const vals: number[] = [];
    for (let y = 0; y < r; y++) for (let x = 0; x < c; x++) vals.push(ramp(y, x));
    const out = tf.tidy(() => Array.from(resizeBicubic2d(tf.tensor3d(vals, [r, c, 1]), R, C, -0.5).dataSync()));
    let interior = 0;
    for (let i = 0; i < R; i++) {
      const sy = (i + 0.5) * (r / R) - 0.5;
      for (let j = 0; j < C; j++) {
        const sx = (j + 0.5) * (c / C) - 0.5;
        // all four taps inside the grid → no border replication
        if (Math.floor(sy) - 1 < 0 || Math.floor(sy) + 2 > r - 1 || Math.floor(sx) - 1 < 0 || Math.floor(sx) + 2 > c - 1) continue;
        interior++;
        expect(Math.abs(out[i * C + j] - ramp(sy, sx))).toBeLessThan(1e-4);
      }
    }
    expect(interior).toBeGreaterThan(20);
  });

  it('with PyTorch\'s a = −0.75 a ramp stays a ramp at phases 0 and ½, and shifts by a hand-computed amount elsewhere', () => {
    // Taps −1..2 at phase t: the ramp value comes out at f + m(t), m(t) = −W(t+1) + W(1−t) + 2W(2−t).
    // m(½) = ½ by symmetry; m(¼) = 0.10546875 + 0.26171875 − 2·0.03515625 = 0.296875 (not ¼), m(¾) = 1 − m(¼) = 0.703125.
    const ramp = (x: number) => 3 * x - 2;
    const line = (n: number) => tf.tensor3d(Array.from({ length: n }, (_, x) => ramp(x)), [1, n, 1]);
    // 12 → 6 (downsample ×2): x_j = 2j + ½, phase ½ everywhere
    const down = tf.tidy(() => Array.from(resizeBicubic2d(line(12), 1, 6).dataSync()));
    for (let j = 1; j < 5; j++) expect(Math.abs(down[j] - ramp(2 * j + 0.5))).toBeLessThan(1e-4);
    // 6 → 12 (upsample ×2): x_j = j/2 − ¼, phases ¾ (even j) and ¼ (odd j)
    const up = tf.tidy(() => Array.from(resizeBicubic2d(line(6), 1, 12).dataSync()));
    for (let j = 4; j < 8; j++) {
      const x = j / 2 - 0.25;
      const f = Math.floor(x);
      const m = j % 2 === 0 ? 0.703125 : 0.296875;
      expect(Math.abs(up[j] - ramp(f + m))).toBeLessThan(1e-4);
      expect(Math.abs(up[j] - ramp(x))).toBeGreaterThan(0.1); // the wobble is real: 3·0.046875 ≈ 0.14
    }
  });

  it('is differentiable in the grid (gradient of Σ out = column sums of the weights, by hand for 2 → 4)', () => {
    // Each 1-D column of M24 sums to 2, so each grid cell of a 2×2 → 4×4 resize gets 2·2 = 4.
    const g = tf.tidy(() => Array.from(tf.grad((x: tf.Tensor) => resizeBicubic2d(x as tf.Tensor3D, 4, 4).sum())(tf.ones([2, 2, 1])).dataSync()));
    expectClose([g], [[4, 4, 4, 4]]);
  });

  it('does not leak tensors', () => {
    const x = tf.ones([4, 4, 2]) as tf.Tensor3D;
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) tf.tidy(() => resizeBicubic2d(x, 6, 5).sum()).dispose();
    for (let i = 0; i < 3; i++) tf.tidy(() => resizeLinear1d(x.reshape([16, 2]) as tf.Tensor2D, 9).sum()).dispose();
    for (let i = 0; i < 3; i++) resizeBicubic2d(x, 6, 5).dispose();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });

  it('rejects bad sizes and shapes clearly', () => {
    expect(() => cubicTaps(3, 0)).toThrow(/outSize must be a positive integer, got 0/);
    expect(() => tf.tidy(() => resizeBicubic2d(tf.zeros([2, 2]) as unknown as tf.Tensor3D, 3, 3))).toThrow(/\[rows, cols, d\] grid/);
  });
});
