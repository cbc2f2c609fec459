/**
 * Token embedding lookup: tf.gather, whose gradient is an UnsortedSegmentSum (registered as a JS kernel on wasm by
 * src/backend.ts). Measured on this machine for ids [16, 128], table [256, 128], forward + backward (min of 20):
 *   tf.gather + JS UnsortedSegmentSum       10–13 ms
 *   gather + onehot(ids)ᵀ·dy (XNNPACK)       22 ms
 *   oneHot(ids)·table (src/ops/layers embed) 22–25 ms
 * The segment sum touches n·D values once; the product variants pay for the n × V one-hot (and, for oneHot·table, for
 * the useless gradient of the one-hot itself).
 */
import * as tf from '@tensorflow/tfjs';

/** ids [...] int32 in [0, V), table [V, D] → [..., D]. */
export function embedLookup(ids: tf.Tensor, table: tf.Tensor2D): tf.Tensor {
  if (ids.dtype !== 'int32') throw new Error(`embedLookup: ids must be int32, got ${ids.dtype}`);
  return tf.gather(table, ids);
}

/** Throws unless every id is an integer in [0, vocab). */
export function checkTokenIds(ids: ArrayLike<number>, vocab: number, what = 'token'): void {
  for (let i = 0; i < ids.length; i++) {
    const t = ids[i];
    if (!(Number.isInteger(t) && t >= 0 && t < vocab)) throw new Error(`${what} id ${t} at index ${i} is outside [0, ${vocab})`);
  }
}
