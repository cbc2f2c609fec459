/**
 * Softmax cross-entropy over integer targets, with optional per-row weights (the answer-only QA loss), as one op with a
 * hand-written gradient: value = Σᵢ wᵢ·(logsumexp(zᵢ) − zᵢ[tᵢ]) / Σᵢ wᵢ, gradient = (softmax(zᵢ) − onehot(tᵢ))·wᵢ/Σw.
 * No [N, V] one-hot product or log-softmax tensor is kept for the backward pass; softmax is recomputed there (it is
 * a fast vectorised kernel on wasm, unlike exp).
 */
import * as tf from '@tensorflow/tfjs';
import { checkCrossEntropy } from '../checks';
import type { IntArrayLike } from '../types';

export function softmaxCrossEntropy(
  logits: tf.Tensor2D,
  targets: IntArrayLike | tf.Tensor,
  weights?: Float32Array | readonly number[] | tf.Tensor,
): tf.Scalar {
  const { n, v, targets: t, weights: wn } = checkCrossEntropy(logits, targets, weights);
  const flatIdx = new Int32Array(n);
  for (let i = 0; i < n; i++) flatIdx[i] = i * v + t[i];
  // Everything the gradient needs is created inside the forward function and saved: tensors captured from an outer
  // tidy would be disposed before the backward pass runs.
  const ce = tf.customGrad(((z: tf.Tensor2D, save: tf.GradSaveFunc) => {
    const tIds = tf.tensor1d(t, 'int32');
    const wt = wn ? (tf.tensor2d(wn, [n, 1]) as tf.Tensor2D) : tf.scalar(1 / n); // [N, 1] summing to 1, or 1/N
    save([z, tIds, wt]);
    const lse = tf.logSumExp(z, -1); // [N]
    const picked = tf.gather(z.reshape([-1]), tf.tensor1d(flatIdx, 'int32')); // [N] target logits
    const nll = lse.sub(picked); // [N]
    const value = wn ? nll.reshape([n, 1]).mul(wt).sum() : nll.mean();
    return {
      value,
      gradFunc: (dy: tf.Tensor, [sz, sIds, sw]: tf.Tensor[]) => {
        const g = tf.softmax(sz).sub(tf.oneHot(sIds as tf.Tensor1D, v).toFloat()); // [N, V]
        return [g.mul(sw.mul(dy))];
      },
    };
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
  }) as any) as (z: tf.Tensor2D) => tf.Scalar;
  return ce(logits);
}
