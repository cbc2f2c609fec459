/** The permutation that swaps the last two axes, and that transpose: used by every explicit-transpose gradient. */
import * as tf from '@tensorflow/tfjs';

export function swapLast(rank: number): number[] {
  if (!Number.isInteger(rank) || rank < 2) throw new Error(`swapLast: rank must be an integer ≥ 2, got ${rank}`);
  const p = Array.from({ length: rank }, (_, i) => i);
  p[rank - 1] = rank - 2;
  p[rank - 2] = rank - 1;
  return p;
}

/** x with its last two axes swapped: [..., m, n] → [..., n, m]. */
export function transposeLast(x: tf.Tensor): tf.Tensor {
  return tf.transpose(x, swapLast(x.rank));
}
