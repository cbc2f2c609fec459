/**
 * Gradient clipping by global norm, as torch.nn.utils.clip_grad_norm_: total = √(Σ‖g‖²); every gradient is multiplied
 * by min(1, maxNorm / (total + 1e-6)). SeqPE clips the position-encoder's gradients separately from the main model's
 * (both at 5.0, spec §1.8), so clipGroups takes one limit per group.
 */
import * as tf from '@tensorflow/tfjs';
import { addNChunked } from '../kernels/add-n';
import type { Param, ParamGroup } from '../models/params';

/** √(Σ ‖g‖²) over all tensors (0 for an empty list). */
export function globalNorm(grads: readonly tf.Tensor[]): tf.Scalar {
  return tf.tidy(() => {
    if (grads.length === 0) return tf.scalar(0);
    const sq = grads.map((g) => g.mul(g).sum());
    // Chunked: webgpu's AddN silently returns garbage past its storage-buffer limit (src/kernels/add-n.ts).
    return tf.sqrt(sq.length === 1 ? sq[0] : addNChunked(sq)) as tf.Scalar;
  });
}

export interface ClipResult {
  grads: tf.Tensor[];
  /** The norm before clipping. */
  norm: tf.Scalar;
}

/**
 * Scales the gradients so that their global norm is at most maxNorm. maxNorm = Infinity disables clipping (the norm is
 * still returned). New tensors are returned; the inputs are not disposed.
 */
export function clipByGlobalNorm(grads: readonly tf.Tensor[], maxNorm: number): ClipResult {
  if (!(maxNorm > 0)) throw new Error(`clipByGlobalNorm: maxNorm must be > 0 (Infinity = no clipping), got ${maxNorm}`);
  return tf.tidy(() => {
    const norm = globalNorm(grads);
    if (maxNorm === Infinity) return { grads: grads.map((g) => g.clone()), norm };
    const coef = tf.minimum(tf.scalar(maxNorm).div(norm.add(1e-6)), 1);
    return { grads: grads.map((g) => g.mul(coef)), norm };
  });
}

export interface GroupClipResult {
  grads: Map<string, tf.Tensor>;
  /** Pre-clip global norm of each group (0 for a group without gradients). */
  norms: Record<ParamGroup, tf.Scalar>;
}

/** Clips each parameter group by its own global norm. `grads` is keyed by param name. */
export function clipGroups(
  grads: Map<string, tf.Tensor>,
  params: readonly Param[],
  maxNorm: Record<ParamGroup, number>,
): GroupClipResult {
  const groupOf = new Map(params.map((p) => [p.name, p.group] as const));
  const out = new Map<string, tf.Tensor>();
  const norms = {} as Record<ParamGroup, tf.Scalar>;
  for (const group of ['main', 'pe'] as const) {
    const names = [...grads.keys()].filter((n) => {
      const g = groupOf.get(n);
      if (g === undefined) throw new Error(`clipGroups: gradient for unknown param "${n}"`);
      return g === group;
    });
    const r = clipByGlobalNorm(names.map((n) => grads.get(n)!), maxNorm[group]);
    names.forEach((n, i) => out.set(n, r.grads[i]));
    norms[group] = r.norm;
  }
  return { grads: out, norms };
}
