import { describe, expect, it } from 'vitest';
import * as fs from 'fs';
import * as path from 'path';
import { cubicKernel, patchify, resizeImages, ResizeMethod, unpatchify } from '../../src/data/resize';
import { Rng } from '../../src/util/rng';

const methods: ResizeMethod[] = ['bilinear', 'bicubic'];

function randomImages(rng: Rng, n: number, size: number): Float32Array {
  return Float32Array.from({ length: n * size * size }, () => rng.next());
}

describe('resizeImages (PyTorch align_corners=False semantics)', () => {
  it('keeps a constant image constant, up and down, for both methods', () => {
    for (const method of methods) {
      for (const [s, t] of [[28, 84], [28, 40], [28, 14], [7, 5], [3, 10]]) {
        const img = new Float32Array(2 * s * s).fill(0.37);
        const out = resizeImages(img, s, t, method);
        expect(out).toHaveLength(2 * t * t);
        for (const v of out) expect(v).toBeCloseTo(0.37, 6);
      }
    }
  });

  it('bilinear 2→4 of rows [a, b] gives [a, ¾a+¼b, ¼a+¾b, b] (src = (d+½)·½ − ½ = −¼→0, ¼, ¾, 1¼→edge)', () => {
    const a = 0.2;
    const b = 0.8;
    const out = resizeImages(new Float32Array([a, b, a, b]), 2, 4, 'bilinear');
    const row = [a, 0.75 * a + 0.25 * b, 0.25 * a + 0.75 * b, b];
    for (let r = 0; r < 4; r++) for (let c = 0; c < 4; c++) expect(out[r * 4 + c]).toBeCloseTo(row[c], 6);
    // The same along columns: image rows [a, a] and [b, b].
    const col = resizeImages(new Float32Array([a, a, b, b]), 2, 4, 'bilinear');
    for (let r = 0; r < 4; r++) for (let c = 0; c < 4; c++) expect(col[r * 4 + c]).toBeCloseTo(row[r], 6);
  });

  it('bilinear 4→2 averages 2×2 blocks (src = (d+½)·2 − ½ = ½, 2½)', () => {
    const rng = new Rng(2);
    const img = randomImages(rng, 1, 4);
    const out = resizeImages(img, 4, 2, 'bilinear');
    for (let r = 0; r < 2; r++) {
      for (let c = 0; c < 2; c++) {
        const m = (img[2 * r * 4 + 2 * c] + img[2 * r * 4 + 2 * c + 1] + img[(2 * r + 1) * 4 + 2 * c] + img[(2 * r + 1) * 4 + 2 * c + 1]) / 4;
        expect(out[r * 2 + c]).toBeCloseTo(m, 6);
      }
    }
  });

  it('bilinear reproduces a linear ramp exactly wherever the sample point is inside the image', () => {
    const rng = new Rng(3);
    for (let k = 0; k < 20; k++) {
      const s = rng.int(2, 12);
      const t = rng.int(2, 30);
      const [al, be, ga] = [rng.next() * 0.05, rng.next() * 0.05, rng.next() * 0.3];
      const img = Float32Array.from({ length: s * s }, (_, i) => al * Math.floor(i / s) + be * (i % s) + ga);
      const out = resizeImages(img, s, t, 'bilinear');
      const src = (d: number) => (d + 0.5) * (s / t) - 0.5;
      for (let r = 0; r < t; r++) {
        for (let c = 0; c < t; c++) {
          const [sr, sc] = [src(r), src(c)];
          if (sr < 0 || sc < 0 || sr > s - 1 || sc > s - 1) continue; // edges clamp
          expect(out[r * t + c]).toBeCloseTo(al * sr + be * sc + ga, 5);
        }
      }
    }
  });

  it('cubic kernel (a = −0.75) at hand-worked points', () => {
    // |x| ≤ 1: 1.25|x|³ − 2.25|x|² + 1;  1 < |x| < 2: −0.75|x|³ + 3.75|x|² − 6|x| + 3
    expect(cubicKernel(0)).toBe(1);
    expect(cubicKernel(1)).toBeCloseTo(0, 12);
    expect(cubicKernel(2)).toBeCloseTo(0, 12);
    expect(cubicKernel(0.5)).toBeCloseTo(0.59375, 12);
    expect(cubicKernel(-0.5)).toBeCloseTo(0.59375, 12);
    expect(cubicKernel(1.5)).toBeCloseTo(-0.09375, 12);
    expect(cubicKernel(0.25)).toBeCloseTo(0.87890625, 12);
    expect(cubicKernel(1.25)).toBeCloseTo(-0.10546875, 12);
    expect(cubicKernel(3)).toBe(0);
  });

  it('bicubic 2→4 of rows [a, b] by hand, with the overshoot clamped to [0, 1]', () => {
    // d = 0: src −¼, floor −1, t = ¾; taps −2,−1,0,1 → clamped 0,0,0,1; weights W(1¾), W(¾), W(¼), W(1¼)
    //        = −0.03515625, 0.26171875, 0.87890625, −0.10546875 → value a·1.10546875 − 0.10546875·b.
    // d = 1: src ¼, t = ¼; taps −1,0,1,2 → 0,0,1,1; weights W(1¼), W(¼), W(¾), W(1¾) → a·0.7734375 + b·0.2265625.
    const a = 0.2;
    const b = 0.8;
    const row = [a * 1.10546875 - 0.10546875 * b, a * 0.7734375 + b * 0.2265625, a * 0.2265625 + b * 0.7734375, b * 1.10546875 - 0.10546875 * a];
    const out = resizeImages(new Float32Array([a, b, a, b]), 2, 4, 'bicubic');
    for (let r = 0; r < 4; r++) for (let c = 0; c < 4; c++) expect(out[r * 4 + c]).toBeCloseTo(row[c], 6);
    // [0, 1]: the raw first value is −0.10546875 and the last 1.10546875; both are clamped.
    const clamped = resizeImages(new Float32Array([0, 1, 0, 1]), 2, 4, 'bicubic');
    expect(Array.from(clamped.subarray(0, 4)).map((v) => +v.toFixed(7))).toEqual([0, 0.2265625, 0.7734375, 1]);
  });

  it('matches PyTorch 1.13 F.interpolate outputs (fixture made with Debian python3-torch)', () => {
    const fx = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'torch-resize.json'), 'utf8'));
    const input = Float32Array.from(fx.input as number[]);
    expect(fx.cases.length).toBe(6);
    for (const c of fx.cases as { size: number; newSize: number; method: ResizeMethod; output: number[] }[]) {
      const out = resizeImages(input, c.size, c.newSize, c.method);
      expect(out).toHaveLength(c.output.length);
      c.output.forEach((v, i) => expect(out[i]).toBeCloseTo(v, 6));
    }
  });

  it('is the identity (a copy) at the same size', () => {
    const img = randomImages(new Rng(4), 3, 6);
    for (const method of methods) {
      const out = resizeImages(img, 6, 6, method);
      expect(out).toEqual(img);
      expect(out).not.toBe(img);
    }
  });

  it('resizes each image of a batch independently', () => {
    const rng = new Rng(5);
    const batch = randomImages(rng, 3, 7);
    for (const method of methods) {
      const out = resizeImages(batch, 7, 11, method);
      for (let n = 0; n < 3; n++) {
        const one = resizeImages(batch.slice(n * 49, (n + 1) * 49), 7, 11, method);
        expect(out.subarray(n * 121, (n + 1) * 121)).toEqual(one);
      }
    }
  });

  it('rejects bad sizes and methods', () => {
    expect(() => resizeImages(new Float32Array(10), 3, 6)).toThrow(/10 values is not a whole number of 3×3 images/);
    expect(() => resizeImages(new Float32Array(9), 3, 0)).toThrow(/newSize must be a positive integer, got 0/);
    expect(() => resizeImages(new Float32Array(9), 3, 6, 'nearest' as ResizeMethod)).toThrow(/unknown resize method "nearest"/);
  });
});

describe('patchify', () => {
  it('cuts a 4×4 image 0..15 into 2×2 patches in row-major grid and pixel order', () => {
    const img = Float32Array.from({ length: 16 }, (_, i) => i);
    const p = patchify(img, 4, 2);
    expect([p.count, p.rows, p.cols, p.patch]).toEqual([1, 2, 2, 2]);
    expect(Array.from(p.data)).toEqual([0, 1, 4, 5, 2, 3, 6, 7, 8, 9, 12, 13, 10, 11, 14, 15]);
  });

  it('patches reassemble to the images (28 px, patch 4 and 7; 84 px, patch 4)', () => {
    const rng = new Rng(6);
    for (const [s, p] of [[28, 4], [28, 7], [84, 4]]) {
      const img = randomImages(rng, 3, s);
      const pt = patchify(img, s, p);
      expect(pt.data).toHaveLength(3 * (s / p) ** 2 * p * p);
      expect(unpatchify(pt)).toEqual(img);
      // Patch (gr, gc) pixel (y, x) is image pixel (gr·p + y, gc·p + x): spot-check one.
      const [n, gr, gc, y, x] = [2, 1, s / p - 1, p - 1, 0];
      const g = s / p;
      expect(pt.data[((n * g * g + gr * g + gc) * p + y) * p + x]).toBe(img[n * s * s + (gr * p + y) * s + gc * p + x]);
    }
  });

  it('rejects a size that is not a multiple of the patch size', () => {
    expect(() => patchify(new Float32Array(25), 5, 2)).toThrow(/image size 5 is not a multiple of patch size 2/);
    expect(() => unpatchify({ data: new Float32Array(3), count: 1, rows: 1, cols: 1, patch: 2 })).toThrow(/3 values/);
  });
});
