/**
 * Multi-head self-attention with the position-encoding hooks (spec §1.3):
 *
 *   q, k, v  = x W_qkv + b_qkv                  one [d, 3d] parameter; columns q | k | v, heads contiguous in each
 *   q, k     ← encoding.qk(layer, q, k)          RoPE / SeqPE gating, on [B, H, S, d_h]
 *   logits   = (q kᵀ + attnBias(layer)) / √d_h + mask
 *   out      = softmax(logits) v  →  merge heads  →  W_o
 *
 * Implementation notes (wasm speed, stack-notes §1):
 * - The 1/√d_h scale is folded into q ([B,H,S,d_h], 4× smaller than the logits when d_h = S/4) and the bias is
 *   pre-scaled and merged with the mask once per layer on its small [H|1, S, S] tensor, so the big [B,H,S,S] logits
 *   see one product and one broadcast add. (q·s)kᵀ + s·bias = s·(qkᵀ + bias): the bias is still added before scaling.
 * - q/k/v come from three products with column slices of W_qkv rather than slices of the [B·S, 3d] activation: the
 *   gradient of a slice is a zero-padded full-size tensor, which is cheap on the small weight and not on the activation.
 * - Heads are split with reshape + rank-4 transposes only; kᵀ is produced directly by one transpose when no qk hook runs.
 * - The two attention products use batchMatMul (XNNPACK per (batch, head) slice on wasm).
 */
import * as tf from '@tensorflow/tfjs';
import { dense } from './dense';
import type { EncodingOutput } from '../encodings/types';
import type { Rng } from '../util/rng';
import { batchMatMul } from './batch-matmul';
import { dropout } from './dropout';
import type { ParamStore } from './params';

export interface AttentionParams {
  /** [d, 3d] */
  qkvW: tf.Variable;
  /** [3d] */
  qkvB: tf.Variable;
  /** [d, d] */
  projW: tf.Variable;
  /** [d] */
  projB: tf.Variable;
}

export interface AttentionInit {
  /** Std of the q/k/v weights. */
  std: number;
  /** Std of the output projection (GPT-2 scales it by 1/√(2·layers)). */
  projStd: number;
  /** Truncate the normal at ±2 std (timm). */
  truncate: boolean;
}

export function createAttentionParams(store: ParamStore, prefix: string, dModel: number, init: AttentionInit): AttentionParams {
  return {
    qkvW: store.normal(`${prefix}.qkv.w`, [dModel, 3 * dModel], init.std, { decay: true, truncate: init.truncate }),
    qkvB: store.constant(`${prefix}.qkv.b`, [3 * dModel], 0),
    projW: store.normal(`${prefix}.proj.w`, [dModel, dModel], init.projStd, { decay: true, truncate: init.truncate }),
    projB: store.constant(`${prefix}.proj.b`, [dModel], 0),
  };
}

export interface AttentionOptions {
  heads: number;
  layer: number;
  encoding: EncodingOutput;
  /** Additive mask [1, 1, S, S] (0 = attend, large negative = blocked), or null for full attention. */
  mask: tf.Tensor | null;
  /** 1/√d_h as a kept scalar tensor (reused across steps). */
  scale: tf.Scalar;
  attnDropout: number;
  training: boolean;
  rng?: Rng;
  onAttention?: (layer: number, probs: tf.Tensor4D) => void;
}

/** The [H|1, S, S] bias of this layer, scaled, plus the mask → [1, H|1, S, S]; null when there is neither. */
function logitOffset(o: AttentionOptions, s: number): tf.Tensor | null {
  const hook = o.encoding.attnBias;
  if (!hook) return o.mask;
  const bias = hook(o.layer);
  if (bias.rank !== 3 || (bias.shape[0] !== o.heads && bias.shape[0] !== 1) || bias.shape[1] !== s || bias.shape[2] !== s) {
    throw new Error(`attention: attnBias(${o.layer}) has shape [${bias.shape}], expected [${o.heads} or 1, ${s}, ${s}]`);
  }
  const scaled = bias.mul(o.scale).expandDims(0); // [1, H|1, S, S]
  return o.mask ? scaled.add(o.mask) : scaled;
}

/** x [B, S, d] → [B, S, d]. */
export function selfAttention(x: tf.Tensor3D, p: AttentionParams, o: AttentionOptions): tf.Tensor3D {
  const [b, s, d] = x.shape;
  const h = o.heads;
  if (d % h !== 0) throw new Error(`attention: d ${d} is not divisible by heads ${h}`);
  const dh = d / h;
  const x2 = x.reshape([b * s, d]) as tf.Tensor2D;
  const proj = (i: number): tf.Tensor4D =>
    dense(x2, p.qkvW.slice([0, i * d], [d, d]) as tf.Tensor2D, p.qkvB.slice([i * d], [d]) as tf.Tensor1D).reshape([b, s, h, dh]) as tf.Tensor4D;
  let q = proj(0).transpose([0, 2, 1, 3]) as tf.Tensor4D; // [B, H, S, dh]
  const kRaw = proj(1); // [B, S, H, dh]
  const v = proj(2).transpose([0, 2, 1, 3]) as tf.Tensor4D; // [B, H, S, dh]
  let kT: tf.Tensor4D; // [B, H, dh, S]
  if (o.encoding.qk) {
    const k0 = kRaw.transpose([0, 2, 1, 3]) as tf.Tensor4D; // [B, H, S, dh]
    const [q2, k2] = o.encoding.qk(o.layer, q, k0);
    if (q2.shape.join() !== q.shape.join() || k2.shape.join() !== k0.shape.join()) {
      throw new Error(`attention: qk(${o.layer}) returned [${q2.shape}], [${k2.shape}]; expected [${q.shape}] for both`);
    }
    q = q2;
    kT = k2.transpose([0, 1, 3, 2]) as tf.Tensor4D;
  } else {
    kT = kRaw.transpose([0, 2, 3, 1]) as tf.Tensor4D;
  }
  let logits = batchMatMul(q.mul(o.scale) as tf.Tensor4D, kT); // [B, H, S, S]
  const offset = logitOffset(o, s);
  if (offset) logits = logits.add(offset);
  let probs = tf.softmax(logits) as tf.Tensor4D; // [B, H, S, S]
  if (o.onAttention) o.onAttention(o.layer, probs);
  probs = dropout(probs, o.attnDropout, o.training, o.rng);
  const ctx = batchMatMul(probs, v) // [B, H, S, dh]
    .transpose([0, 2, 1, 3]) // [B, S, H, dh]
    .reshape([b * s, d]) as tf.Tensor2D;
  return dense(ctx, p.projW as tf.Tensor2D, p.projB as tf.Tensor1D).reshape([b, s, d]) as tf.Tensor3D;
}

/** Additive causal mask [1, 1, S, S]: 0 on and below the diagonal, −1e9 above (exp underflows to exactly 0). */
export function causalMask(s: number): tf.Tensor4D {
  const m = new Float32Array(s * s);
  for (let i = 0; i < s; i++) for (let j = i + 1; j < s; j++) m[i * s + j] = -1e9;
  return tf.tensor4d(m, [1, 1, s, s]);
}
