/**
 * Shared pieces of the rotary encodings (RoPE, RoPE-2D, RoPE-Mixed) and of the other fixed baselines:
 * head-dimension and layout checks, and the pair rotation x·cos + rotateHalf(x)·sin.
 *
 * Rotation convention (interleaved pairs, as the official code and RoPE-ViT use):
 *   x'_{2k}   = x_{2k}   cos θ_k − x_{2k+1} sin θ_k
 *   x'_{2k+1} = x_{2k+1} cos θ_k + x_{2k}   sin θ_k
 * i.e. x' = x ⊙ cos + rotateHalf(x) ⊙ sin with rotateHalf(x)_{2k} = −x_{2k+1}, rotateHalf(x)_{2k+1} = x_{2k} and each
 * angle repeated over its pair. rotateHalf is a fixed signed permutation matrix applied with matMul: no strided slices,
 * no rank-5 transposes, and a fast gradient on wasm.
 */
import * as tf from '@tensorflow/tfjs';
import { linear } from '../kernels/index';
import { EncodingOutput, ModelDims, PositionLayout } from './types';

function isNonNegInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}

/**
 * Throws a clear error if the layout is malformed or of the wrong dimensionality for the encoding `name`.
 * (Generic layout validation; it would sit well in types.ts.)
 */
export function checkLayout(name: string, layout: PositionLayout, want: 1 | 2 | 'any'): void {
  const prefix = layout.prefix ?? 0;
  if (!isNonNegInt(prefix)) throw new Error(`${name}: layout.prefix must be a non-negative integer, got ${prefix}`);
  if (layout.kind === '1d') {
    if (want === 2) throw new Error(`${name}: needs a 2-D layout (rows × cols grid), got a 1-D layout of length ${layout.length}`);
    if (!isNonNegInt(layout.start)) throw new Error(`${name}: 1-D layout.start must be a non-negative integer, got ${layout.start}`);
    if (!isNonNegInt(layout.length) || layout.length < 1) {
      throw new Error(`${name}: 1-D layout.length must be a positive integer, got ${layout.length}`);
    }
  } else if (layout.kind === '2d') {
    if (want === 1) {
      throw new Error(`${name}: needs a 1-D layout, got a 2-D layout (${layout.rows}×${layout.cols} grid); use the 2-D variant`);
    }
    if (!Array.isArray(layout.start) || layout.start.length !== 2 || !layout.start.every(isNonNegInt)) {
      throw new Error(`${name}: 2-D layout.start must be [row, col] non-negative integers, got ${JSON.stringify(layout.start)}`);
    }
    for (const [k, v] of [['rows', layout.rows], ['cols', layout.cols]] as const) {
      if (!isNonNegInt(v) || v < 1) throw new Error(`${name}: 2-D layout.${k} must be a positive integer, got ${v}`);
    }
  } else {
    throw new Error(`${name}: unknown layout kind ${JSON.stringify((layout as { kind: unknown }).kind)}, expected '1d' or '2d'`);
  }
}

/** Validates ModelDims and returns the head dimension d_h = dModel / heads, which must be a multiple of `multiple`. */
export function headDim(name: string, dims: ModelDims, multiple: number): number {
  for (const [k, v] of [['dModel', dims.dModel], ['heads', dims.heads], ['layers', dims.layers]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`${name}: ModelDims.${k} must be a positive integer, got ${v}`);
  }
  if (dims.dModel % dims.heads !== 0) {
    throw new Error(`${name}: dModel ${dims.dModel} is not divisible by heads ${dims.heads}`);
  }
  const dh = dims.dModel / dims.heads;
  if (dh % multiple !== 0) {
    throw new Error(`${name}: head dim ${dh} (dModel ${dims.dModel} / heads ${dims.heads}) must be a multiple of ${multiple}`);
  }
  return dh;
}

/** Throws unless `layer` is an integer in [0, layers). */
export function checkLayer(name: string, layer: number, layers: number): void {
  if (!Number.isInteger(layer) || layer < 0 || layer >= layers) {
    throw new Error(`${name}: layer ${layer} is out of range, expected an integer in [0, ${layers})`);
  }
}

/** Throws unless q and k are [batch, heads, tokens, dHead] with the expected heads, tokens and dHead. */
export function checkQk(name: string, q: tf.Tensor, k: tf.Tensor, heads: number, tokens: number, dHead: number): void {
  for (const [label, x] of [['q', q], ['k', k]] as const) {
    const s = x.shape;
    if (s.length !== 4 || s[1] !== heads || s[2] !== tokens || s[3] !== dHead) {
      throw new Error(`${name}: ${label} has shape [${s}], expected [batch, ${heads}, ${tokens}, ${dHead}] (prefix + positioned tokens)`);
    }
  }
}

/** The signed permutation P [dHead, dHead] with (x @ P)_{2k} = −x_{2k+1} and (x @ P)_{2k+1} = x_{2k}. */
export function rotateHalfMatrix(dHead: number): tf.Tensor2D {
  if (!Number.isInteger(dHead) || dHead < 2 || dHead % 2 !== 0) {
    throw new Error(`rotateHalfMatrix: dHead must be a positive even integer, got ${dHead}`);
  }
  const p = new Float32Array(dHead * dHead);
  for (let k = 0; k < dHead / 2; k++) {
    p[(2 * k + 1) * dHead + 2 * k] = -1; // output 2k takes −x_{2k+1}
    p[2 * k * dHead + 2 * k + 1] = 1; // output 2k+1 takes x_{2k}
  }
  return tf.tensor2d(p, [dHead, dHead]);
}

/**
 * Rotates x [batch, heads, tokens, dHead] by cos/sin tables that broadcast against it ([tokens, dHead] or
 * [heads, tokens, dHead], each angle already repeated over its pair). `perm` is rotateHalfMatrix(dHead).
 */
export function rotatePairs(x: tf.Tensor4D, cos: tf.Tensor, sin: tf.Tensor, perm: tf.Tensor2D): tf.Tensor4D {
  return tf.tidy(() => x.mul(cos).add((linear(x, perm) as tf.Tensor4D).mul(sin)) as tf.Tensor4D);
}

/**
 * cos/sin tables [prefix + T, dHead] from per-pair angles `angles` [T, dHead/2] (row-major), each angle repeated over
 * its pair; the prefix rows get angle 0 (cos 1, sin 0), so prefix tokens (CLS) pass through unrotated.
 * Angles are computed and cos/sin evaluated in float64 before rounding, so far positions stay accurate.
 */
export function pairTables(angles: Float64Array, tokens: number, dHead: number, prefix: number): { cos: tf.Tensor2D; sin: tf.Tensor2D } {
  const half = dHead / 2;
  if (angles.length !== tokens * half) throw new Error(`pairTables: ${angles.length} angles, expected ${tokens}×${half}`);
  const rows = prefix + tokens;
  const c = new Float32Array(rows * dHead);
  const s = new Float32Array(rows * dHead);
  c.fill(1, 0, prefix * dHead);
  for (let t = 0; t < tokens; t++) {
    const o = (prefix + t) * dHead;
    for (let k = 0; k < half; k++) {
      const a = angles[t * half + k];
      const ca = Math.cos(a);
      const sa = Math.sin(a);
      c[o + 2 * k] = ca;
      c[o + 2 * k + 1] = ca;
      s[o + 2 * k] = sa;
      s[o + 2 * k + 1] = sa;
    }
  }
  return { cos: tf.tensor2d(c, [rows, dHead]), sin: tf.tensor2d(s, [rows, dHead]) };
}

/**
 * The q/k hook of a rotary encoding with fixed angles (RoPE, RoPE-2D): angles [T, d_h/2] (row-major) for the T positioned
 * tokens; prefix tokens are not rotated. The cos/sin tables are built here, eagerly, so they belong to the caller's
 * scope rather than to one layer's tidy.
 */
export function fixedRotation(name: string, model: ModelDims, dHead: number, angles: Float64Array, tokens: number, prefix: number): EncodingOutput {
  const { cos, sin } = pairTables(angles, tokens, dHead, prefix); // [prefix + T, d_h] each
  const perm = rotateHalfMatrix(dHead);
  const { heads, layers } = model;
  return {
    qk: (layer, q, k) => {
      checkLayer(name, layer, layers);
      checkQk(name, q, k, heads, prefix + tokens, dHead);
      return tf.tidy(() => [rotatePairs(q, cos, sin, perm), rotatePairs(k, cos, sin, perm)]) as [tf.Tensor4D, tf.Tensor4D];
    },
  };
}
