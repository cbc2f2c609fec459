/** Reference softmax cross-entropy: −Σᵢ wᵢ·log_softmax(zᵢ)[tᵢ] with a one-hot mask, differentiated by autodiff. */
import * as tf from '@tensorflow/tfjs';
import { checkCrossEntropy } from '../checks';
import type { IntArrayLike } from '../types';

export function softmaxCrossEntropy(
  logits: tf.Tensor2D,
  targets: IntArrayLike | tf.Tensor,
  weights?: Float32Array | readonly number[] | tf.Tensor,
): tf.Scalar {
  const c = checkCrossEntropy(logits, targets, weights);
  return tf.tidy(() => {
    const picked = tf.logSoftmax(logits).mul(tf.oneHot(tf.tensor1d(c.targets, 'int32'), c.v)).sum(-1); // [N]
    const w = c.weights ? tf.tensor1d(c.weights) : tf.fill([c.n], 1 / c.n); // [N], sums to 1
    return picked.mul(w).sum().neg() as tf.Scalar;
  });
}
