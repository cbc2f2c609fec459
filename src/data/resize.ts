/**
 * Image resizing for the resolution-extrapolation test, and cutting images into patches.
 *
 * Semantics follow PyTorch's F.interpolate(mode='bilinear'|'bicubic', align_corners=False, antialias=False), the
 * convention of the paper's ViT pipeline:
 * - output pixel d samples the input at src = (d + 0.5)·(in/out) − 0.5 (pixel centres aligned, not corners);
 * - bilinear: src is clamped below at 0; the two taps floor(src) and floor(src)+1 (the latter clamped to in−1);
 * - bicubic: no clamp of src; four taps floor(src)−1 … floor(src)+2, each clamped to [0, in−1] (edge replication);
 *   Keys' cubic-convolution kernel with a = −0.75 (PyTorch's value, not the a = −0.5 of some other libraries);
 *   the result is clamped to [0, 1] because cubic weights overshoot (PyTorch does not clamp; torchvision's uint8 path does).
 * No antialiasing when downsampling, as in PyTorch's default.
 * The 2-D filter is separable (rows then columns), which equals PyTorch's 4×4 sum up to float rounding.
 * Images are single-channel, square, row-major [N, size, size]; plain JS loops (this is data preparation, not training).
 */
import { DataError } from './errors';

export type ResizeMethod = 'bilinear' | 'bicubic';

/** Keys' cubic convolution kernel W(x) with parameter a. */
export function cubicKernel(x: number, a = -0.75): number {
  const ax = Math.abs(x);
  if (ax <= 1) return ((a + 2) * ax - (a + 3)) * ax * ax + 1;
  if (ax < 2) return ((a * ax - 5 * a) * ax + 8 * a) * ax - 4 * a;
  return 0;
}

/** For each output index: source indices and weights along one axis. */
interface Taps {
  width: number;
  index: Int32Array; // [out, width]
  weight: Float64Array; // [out, width]
}

function taps(inSize: number, outSize: number, method: ResizeMethod): Taps {
  const scale = inSize / outSize;
  const width = method === 'bilinear' ? 2 : 4;
  const index = new Int32Array(outSize * width);
  const weight = new Float64Array(outSize * width);
  const clampIdx = (i: number) => Math.min(Math.max(i, 0), inSize - 1);
  for (let d = 0; d < outSize; d++) {
    const src = (d + 0.5) * scale - 0.5;
    if (method === 'bilinear') {
      const s = Math.max(src, 0);
      const i0 = Math.min(Math.floor(s), inSize - 1);
      const lambda = s - i0;
      index[2 * d] = i0;
      index[2 * d + 1] = i0 < inSize - 1 ? i0 + 1 : i0;
      weight[2 * d] = 1 - lambda;
      weight[2 * d + 1] = lambda;
    } else {
      const i0 = Math.floor(src);
      const t = src - i0;
      for (let k = 0; k < 4; k++) {
        index[4 * d + k] = clampIdx(i0 - 1 + k);
        weight[4 * d + k] = cubicKernel(t + 1 - k);
      }
    }
  }
  return { width, index, weight };
}

function checkSize(v: number, what: string): void {
  if (!Number.isInteger(v) || v < 1) throw new DataError(`${what} must be a positive integer, got ${v}`);
}

/**
 * Resizes N square images from size×size to newSize×newSize. N is images.length / size²; returns [N, newSize, newSize].
 */
export function resizeImages(images: Float32Array, size: number, newSize: number, method: ResizeMethod = 'bilinear'): Float32Array {
  checkSize(size, 'size');
  checkSize(newSize, 'newSize');
  if (method !== 'bilinear' && method !== 'bicubic') throw new DataError(`unknown resize method "${method}"; expected bilinear or bicubic`);
  const inArea = size * size;
  if (images.length % inArea !== 0) {
    throw new DataError(`resizeImages: ${images.length} values is not a whole number of ${size}×${size} images`);
  }
  const n = images.length / inArea;
  if (newSize === size) return images.slice();
  const tp = taps(size, newSize, method);
  const w = tp.width;
  const out = new Float32Array(n * newSize * newSize); // [N, newSize, newSize]
  const tmp = new Float64Array(size * newSize); // [size rows, newSize cols]: horizontal pass
  for (let img = 0; img < n; img++) {
    const base = img * inArea;
    for (let r = 0; r < size; r++) {
      const row = base + r * size;
      for (let c = 0; c < newSize; c++) {
        let acc = 0;
        for (let k = 0; k < w; k++) acc += tp.weight[c * w + k] * images[row + tp.index[c * w + k]];
        tmp[r * newSize + c] = acc;
      }
    }
    const obase = img * newSize * newSize;
    for (let r = 0; r < newSize; r++) {
      for (let c = 0; c < newSize; c++) {
        let acc = 0;
        for (let k = 0; k < w; k++) acc += tp.weight[r * w + k] * tmp[tp.index[r * w + k] * newSize + c];
        if (method === 'bicubic') acc = acc < 0 ? 0 : acc > 1 ? 1 : acc;
        out[obase + r * newSize + c] = acc;
      }
    }
  }
  return out;
}

export interface Patches {
  /** [count, rows·cols, p·p]: patches in row-major grid order, pixels row-major within a patch. */
  data: Float32Array;
  count: number;
  rows: number;
  cols: number;
  patch: number;
}

/** Cuts N square images [N, size, size] into p×p patches; size must be a multiple of p. */
export function patchify(images: Float32Array, size: number, patch: number): Patches {
  checkSize(size, 'size');
  checkSize(patch, 'patch');
  if (size % patch !== 0) throw new DataError(`patchify: image size ${size} is not a multiple of patch size ${patch}`);
  if (images.length % (size * size) !== 0) {
    throw new DataError(`patchify: ${images.length} values is not a whole number of ${size}×${size} images`);
  }
  const count = images.length / (size * size);
  const g = size / patch;
  const data = new Float32Array(images.length); // [count, g·g, p·p]
  let o = 0;
  for (let n = 0; n < count; n++) {
    const base = n * size * size;
    for (let gr = 0; gr < g; gr++) {
      for (let gc = 0; gc < g; gc++) {
        for (let y = 0; y < patch; y++) {
          const src = base + (gr * patch + y) * size + gc * patch;
          data.set(images.subarray(src, src + patch), o);
          o += patch;
        }
      }
    }
  }
  return { data, count, rows: g, cols: g, patch };
}

/** Inverse of patchify: [count, rows·cols, p·p] → [count, rows·p, cols·p]. */
export function unpatchify(p: Patches): Float32Array {
  const { count, rows, cols, patch } = p;
  const h = rows * patch;
  const w = cols * patch;
  if (p.data.length !== count * h * w) {
    throw new DataError(`unpatchify: ${p.data.length} values but count ${count} × ${rows}×${cols} patches of ${patch}×${patch} need ${count * h * w}`);
  }
  const out = new Float32Array(count * h * w); // [count, h, w]
  let o = 0;
  for (let n = 0; n < count; n++) {
    for (let gr = 0; gr < rows; gr++) {
      for (let gc = 0; gc < cols; gc++) {
        for (let y = 0; y < patch; y++) {
          const dst = n * h * w + (gr * patch + y) * w + gc * patch;
          out.set(p.data.subarray(o, o + patch), dst);
          o += patch;
        }
      }
    }
  }
  return out;
}
