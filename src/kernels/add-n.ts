/**
 * Σ of many same-shape tensors in chunks, for engines whose AddN kernel binds every input as a storage buffer.
 *
 * Why: tfjs-backend-webgpu's AddN binds all n inputs plus the output in one shader; past the device's
 * maxStorageBuffersPerShaderStage (8 by default, 16 on NVIDIA) the kernel does not fail, it returns wrong sums — the
 * gradient norm of the d 64 LM read 1e-5 instead of 4.4 (engine-notes §6). So a sum is taken as addN over chunks of at
 * most `limit` inputs, then over the partial sums, recursively. On engines without such a limit, `limit` is Infinity
 * and this is one tf.addN.
 */
import * as tf from '@tensorflow/tfjs';

/** Inputs one AddN may take on the current engine (src/backend.ts sets it: device limit − 1 on webgpu). */
let engineLimit = Infinity;

/** Sets the per-AddN input limit (an integer ≥ 2, or Infinity); returns the previous one. */
export function setAddNLimit(limit: number): number {
  if (!(limit === Infinity || (Number.isInteger(limit) && limit >= 2))) {
    throw new Error(`setAddNLimit: limit must be an integer ≥ 2 or Infinity, got ${limit}`);
  }
  const prev = engineLimit;
  engineLimit = limit;
  return prev;
}

/** The current per-AddN input limit. */
export function addNLimit(): number {
  return engineLimit;
}

/**
 * Σ tensors (same shape and dtype), never passing more than `limit` inputs to one tf.addN. A new tensor is returned
 * (also for one input); inputs are not disposed.
 */
export function addNChunked<T extends tf.Tensor>(tensors: readonly T[], limit: number = engineLimit): T {
  if (tensors.length === 0) throw new Error('addNChunked: no tensors to add (expected at least one)');
  if (!(limit === Infinity || (Number.isInteger(limit) && limit >= 2))) {
    throw new Error(`addNChunked: limit must be an integer ≥ 2 or Infinity, got ${limit}`);
  }
  return tf.tidy(() => {
    let level: tf.Tensor[] = [...tensors];
    if (level.length === 1) return level[0].clone() as T;
    while (level.length > 1) {
      const next: tf.Tensor[] = [];
      for (let i = 0; i < level.length; i += limit === Infinity ? level.length : limit) {
        const chunk = level.slice(i, limit === Infinity ? level.length : i + limit);
        next.push(chunk.length === 1 ? chunk[0] : tf.addN(chunk));
      }
      level = next;
    }
    return level[0] as T;
  });
}
