/**
 * Contrastive distance loss L_δ (SeqPE §1.6): for each pivot, a softmax over its candidates whose logits are plain dot
 * products of the full position embeddings (no normalisation, no temperature), trained with cross-entropy towards the
 * nearest candidate. Embeddings that are close in dot-product space are thereby pushed to be close in position space.
 *
 *   logits[b, n] = pivot[b] · cand[b, n]
 *   L_δ = mean_b [ −log softmax(logits[b])[label[b]] ]
 */
import * as tf from '@tensorflow/tfjs';
import { matMul } from '../kernels/index';

export type Labels = tf.Tensor1D | Int32Array | readonly number[];

/** Labels as a checked JS array: integers in [0, n). */
function labelValues(labels: Labels, b: number, n: number): number[] {
  let vals: number[];
  if (labels instanceof tf.Tensor) {
    if (labels.rank !== 1) throw new Error(`contrastiveLoss: labels must be rank 1 [${b}], got shape [${labels.shape}]`);
    if (labels.dtype !== 'int32') throw new Error(`contrastiveLoss: labels must be int32, got ${labels.dtype}`);
    vals = Array.from(labels.dataSync());
  } else {
    vals = Array.from(labels);
  }
  if (vals.length !== b) throw new Error(`contrastiveLoss: ${vals.length} labels for ${b} pivots`);
  vals.forEach((v, i) => {
    if (!Number.isInteger(v) || v < 0 || v >= n) throw new Error(`contrastiveLoss: label[${i}] = ${v} is not a candidate index in [0, ${n})`);
  });
  return vals;
}

/**
 * Mean cross-entropy of dot-product logits.
 * @param pivotEmb [B, D]
 * @param candEmb  [B, N, D]
 * @param labels   [B] index of the positive (nearest) candidate per pivot
 * @returns scalar
 */
export function contrastiveLoss(pivotEmb: tf.Tensor2D, candEmb: tf.Tensor3D, labels: Labels): tf.Scalar {
  if (pivotEmb.rank !== 2) throw new Error(`contrastiveLoss: pivotEmb must be [B, D], got shape [${pivotEmb.shape}]`);
  if (candEmb.rank !== 3) throw new Error(`contrastiveLoss: candEmb must be [B, N, D], got shape [${candEmb.shape}]`);
  const [b, d] = pivotEmb.shape;
  const [b2, n, d2] = candEmb.shape;
  if (b !== b2 || d !== d2) {
    throw new Error(`contrastiveLoss: pivotEmb [${pivotEmb.shape}] and candEmb [${candEmb.shape}] disagree on B or D`);
  }
  if (b === 0 || n === 0) throw new Error(`contrastiveLoss: empty batch (B = ${b}, N = ${n})`);
  const lab = labelValues(labels, b, n);
  return tf.tidy(() => {
    const logits = matMul(candEmb, pivotEmb.reshape([b, d, 1])).reshape([b, n]); // [B, N]
    const logp = tf.logSoftmax(logits); // [B, N]
    const onehot = tf.oneHot(tf.tensor1d(lab, 'int32'), n).toFloat(); // [B, N]
    return logp.mul(onehot).sum().neg().div(b) as tf.Scalar;
  });
}
